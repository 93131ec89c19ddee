//! A STAC API client: item search that follows every page, collections, retries.
//!
//! It replaces pystac-client's `Client.open(url).search(...).items()` and
//! `get_collections()`. Search is sent as POST when the API offers it (GET otherwise); the
//! `next` links are followed whatever their form (GET, POST with a body, `merge`). When
//! those links page by an offset (`skip`, `offset`, `page`), the following pages are
//! predicted and fetched by several threads at once; with opaque tokens, the next page is
//! fetched while the current one is parsed. Requests are retried with backoff on 5xx, 408,
//! 429 and timeouts; 4xx answers are errors that carry the server's message. Search options
//! are validated before any request is sent.
//!
//! ```no_run
//! use rsdat_stac_api::{Client, SearchParams};
//!
//! let params = SearchParams {
//!     collections: vec!["sentinel-2-l2a".into()],
//!     limit: Some(100),
//!     ..SearchParams::default()
//! }
//! .bbox_str("4.5,52.0,5.2,52.5")?
//! .datetime_str("2023-06")?;
//! let client = Client::open("https://earth-search.aws.element84.com/v1")?;
//! let found = client.search(&params, Some(500), &mut |_progress| {})?;
//! println!("{} items in {} pages", found.items.len(), found.pages);
//! # Ok::<(), rsdat_stac_api::Error>(())
//! ```
//!
//! Option checks need no server:
//!
//! ```
//! let bad = rsdat_stac_api::parse_bbox("4.5,52.0,5.2").unwrap_err();
//! assert!(bad.to_string().contains("--bbox"));
//! assert_eq!(rsdat_stac_api::parse_datetime("2023-01-05T10:00:00Z")?, "2023-01-05T10:00:00Z");
//! # Ok::<(), rsdat_stac_api::Error>(())
//! ```

mod client;
mod error;
mod http;
mod paging;
mod params;

pub use client::{Client, Options, Progress, SearchResult};
pub use error::{Error, Result};
pub use http::Method;
pub use params::{parse_bbox, parse_datetime, SearchParams};
pub use stac::{Collection, Item, ItemCollection};
