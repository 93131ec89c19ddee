//! Writes one year of a small spring-index-like result into a Zarr store with the low-level
//! API: a group per year, coordinates (plant names as strings), a grid mapping, and a data
//! variable written chunk by chunk from parallel tasks that each own whole chunks.
//!
//!     cargo run -p rsdat-zarr --example write_year -- OUT.zarr 1980 [2|3]
//!
//! Run it again with another year to add a group to the same store; then
//! `xarray.open_zarr("OUT.zarr", group="1980")` shows the dataset.

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use rsdat_model::{AttrValue, Attributes, Crs, DType, GeoTransform, Values, Variable};
use rsdat_zarr::{StoreOptions, StoreWriter, ZarrFormat};

fn main() -> Result<(), rsdat_zarr::Error> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "si.zarr".into()));
    let year = args.next().unwrap_or_else(|| "1980".into());
    let format: Option<ZarrFormat> = args.next().and_then(|f| f.parse().ok());
    let options = StoreOptions {
        format,
        ..StoreOptions::default()
    };
    let mut store = if out.exists() {
        StoreWriter::open_existing(&out, options)?
    } else {
        StoreWriter::create(&out, options)?
    };
    let mut attrs = Attributes::new();
    attrs.insert("title", format!("Extended Spring Indices {year}"));
    let group = store.group(&year, &attrs)?;

    let (ny, nx, plants) = (40, 60, ["lilac", "arnold red", "zabelii"]);
    let xs: Vec<f64> = (0..nx)
        .map(|i| -1_000_000.0 + 1000.0 * f64::from(i))
        .collect();
    let ys: Vec<f64> = (0..ny).map(|i| 500_000.0 - 1000.0 * f64::from(i)).collect();
    let dims = |d: &[(&str, usize)]| {
        d.iter()
            .map(|&(n, l)| (n.to_owned(), l))
            .collect::<Vec<_>>()
    };
    let (ny, nx) = (ny as usize, nx as usize);

    let mut x = Variable::new("x", DType::F64, dims(&[("x", nx)]));
    x.attrs.insert("units", "m");
    group.create_array(&x, &[nx])?.write_all(&Values::F64(
        ArrayD::from_shape_vec(IxDyn(&[nx]), xs.clone()).expect("shape"),
    ))?;
    let mut y = Variable::new("y", DType::F64, dims(&[("y", ny)]));
    y.attrs.insert("units", "m");
    group.create_array(&y, &[ny])?.write_all(&Values::F64(
        ArrayD::from_shape_vec(IxDyn(&[ny]), ys.clone()).expect("shape"),
    ))?;
    let plant = Variable::new("plant", DType::Text, dims(&[("plant", plants.len())]));
    let names = ArrayD::from_shape_vec(IxDyn(&[plants.len()]), plants.map(String::from).to_vec())
        .expect("shape");
    group
        .create_array(&plant, &[plants.len()])?
        .write_all_text(&names)?;

    let mut cf = Attributes::new();
    cf.insert("grid_mapping_name", "lambert_conformal_conic");
    cf.insert("standard_parallel", AttrValue::Float(vec![25.0, 60.0]));
    cf.insert("longitude_of_central_meridian", -100.0);
    cf.insert("latitude_of_projection_origin", 42.5);
    let crs = Crs {
        cf,
        grid_mapping: Some("lambert_conformal_conic".into()),
        ..Crs::default()
    };
    let gm = group.write_grid_mapping(&crs, GeoTransform::from_centres(&xs, &ys).as_ref())?;

    let mut leaf = Variable::new(
        "leaf_index",
        DType::I16,
        dims(&[("plant", plants.len()), ("y", ny), ("x", nx)]),
    );
    leaf.attrs.insert("long_name", "first leaf day of year");
    leaf.attrs.insert("_FillValue", AttrValue::Int(vec![-9999]));
    leaf.attrs.insert("grid_mapping", gm.clone());
    leaf.attrs.insert("coordinates", gm);
    let writer = group.create_array(&leaf, &[1, 16, 16])?;
    // Each task owns whole chunks: no two tasks write the same chunk.
    let chunks = writer.chunk_indices();
    std::thread::scope(|s| {
        for part in chunks.chunks(chunks.len().div_ceil(2)) {
            let writer = &writer;
            s.spawn(move || -> Result<(), rsdat_zarr::Error> {
                for chunk in part {
                    let (start, count) = writer.chunk_window(chunk)?;
                    let block = ArrayD::from_shape_fn(IxDyn(&count), |i| {
                        let v =
                            60 + (i[0] + start[0]) * 10 + (i[1] + start[1] + i[2] + start[2]) % 50;
                        if (i[1] + start[1]) % 13 == 0 {
                            -9999
                        } else {
                            i16::try_from(v).unwrap_or(i16::MAX)
                        }
                    });
                    writer.write_chunk(chunk, &Values::I16(block))?;
                }
                Ok(())
            });
        }
    });
    store.commit()?;
    Ok(())
}
