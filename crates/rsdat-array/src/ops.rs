//! Operations on lazy arrays, one family per file.

mod elementwise;
mod fold;
mod layout;
mod reduce;
mod select;

pub use select::Selection;
