//! Writing with rsdat and reading back with rsdat: values, attributes, CRS, chunking, groups,
//! atomic publication and errors, in both formats.
#![allow(clippy::unwrap_used)]

mod common;

use common::{flat, names, options, same, sample, MemSource, PLANTS};
use rsdat_model::{AttrValue, DType, Source, Values, Variable};
use rsdat_zarr::{
    convert, list_groups, ConvertOptions, ConvertPlan, Error, StoreOptions, StoreWriter,
    ZarrFormat, ZarrSource,
};

/// Every variable of `src` reads back from `back` with the same dims, type, values and
/// attributes (back may add `grid_mapping`/`coordinates`; the CF fill is kept).
fn assert_same_dataset(src: &dyn Source, back: &dyn Source) {
    let (a, b) = (src.dataset(), back.dataset());
    for d in &a.dims {
        assert_eq!(b.dim_len(&d.name), Some(d.len), "dim {}", d.name);
    }
    for (k, v) in a.attrs.iter() {
        assert_eq!(b.attrs.get(k), Some(v), "global attr {k}");
    }
    for va in &a.variables {
        let vb = b.variable(&va.name).unwrap();
        assert_eq!(
            (&vb.dims, &vb.shape, vb.dtype),
            (&va.dims, &va.shape, va.dtype),
            "{}",
            va.name
        );
        for (k, v) in va.attrs.iter() {
            // Debug text compares NaN fills as equal.
            assert_eq!(
                format!("{:?}", vb.attrs.get(k)),
                format!("{:?}", Some(v)),
                "{}: attr {k}",
                va.name
            );
        }
        let zeros = vec![0; va.shape.len()];
        if va.dtype == DType::Text {
            assert_eq!(
                src.read_text(&va.name, &zeros, &va.shape).unwrap(),
                back.read_text(&va.name, &zeros, &va.shape).unwrap(),
                "{}",
                va.name
            );
        } else {
            let (x, y) = (
                src.read(&va.name, &zeros, &va.shape).unwrap(),
                back.read(&va.name, &zeros, &va.shape).unwrap(),
            );
            assert_eq!(x.dtype(), y.dtype());
            assert!(
                flat(&x).iter().zip(flat(&y)).all(|(&p, q)| same(p, q)),
                "{}",
                va.name
            );
        }
    }
}

#[test]
fn round_trip_both_formats() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("si.zarr");
        let src = sample(1980);
        let calls = std::sync::Mutex::new(Vec::new());
        let report = convert(&src, &out, &options(format, "1980"), &|d, t| {
            calls.lock().unwrap().push((d, t))
        })
        .unwrap();
        assert_eq!(report.format, format);
        // tmax: 3x2x2 chunks of 2x3x4, si: 3, mask/x/y/time: 1 each.
        assert_eq!(report.chunks, 12 + 3 + 4);
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.first(), Some(&(0, 19)));
        assert_eq!(calls.iter().map(|c| c.0).max(), Some(19));
        assert_eq!(names(dir.path()), ["si.zarr"], "no staging leftovers");

        let back = ZarrSource::open(&out, Some("1980")).unwrap();
        assert_eq!(back.format(), format);
        assert_same_dataset(&src, &back);
        let ds = back.dataset();
        let tmax = ds.variable("tmax").unwrap();
        assert_eq!(tmax.chunks.as_deref(), Some(&[2, 3, 4][..]));
        assert_eq!(tmax.compression.as_deref(), Some("zstd(3)"));
        assert_eq!(
            tmax.attrs.get_str("grid_mapping"),
            Some("lambert_conformal_conic")
        );
        assert_eq!(
            tmax.attrs.get_str("coordinates"),
            Some("lambert_conformal_conic")
        );
        assert!(tmax.attrs.get_f64("_FillValue").is_some_and(f64::is_nan));
        assert_eq!(
            ds.variable("si").unwrap().attrs.get("_FillValue"),
            Some(&AttrValue::Int(vec![-9999]))
        );
        assert_eq!(ds.variable("mask").unwrap().attrs.get("_FillValue"), None);
        let crs = ds.crs.as_ref().unwrap();
        let want = src.dataset.crs.as_ref().unwrap();
        assert_eq!(crs.grid_mapping, want.grid_mapping);
        assert_eq!(crs.wkt, want.wkt);
        assert_eq!(crs.cf, want.cf);
        assert!(crs
            .proj4
            .as_deref()
            .unwrap()
            .starts_with("+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100"));
        assert_eq!(ds.transform, src.dataset.transform);
        let text = back.read_text("plant", &[1], &[2]).unwrap();
        assert_eq!(
            text.iter().map(String::as_str).collect::<Vec<_>>(),
            &PLANTS[1..]
        );
        // Without consolidated metadata the reader walks the directories instead.
        match format {
            ZarrFormat::V2 => std::fs::remove_file(out.join(".zmetadata")).unwrap(),
            _ => std::fs::write(
                out.join("zarr.json"),
                r#"{"attributes": {}, "zarr_format": 3, "node_type": "group"}"#,
            )
            .unwrap(),
        }
        assert_same_dataset(&src, &ZarrSource::open(&out, Some("1980")).unwrap());
        assert_eq!(list_groups(&out).unwrap(), ["1980"]);
        // A window across chunk edges.
        let w = back.read("tmax", &[1, 1, 2], &[3, 3, 5]).unwrap();
        assert!(flat(&w)
            .iter()
            .zip(flat(&src.values["tmax"].window(&[1, 1, 2], &[3, 3, 5])))
            .all(|(&a, b)| same(a, b)));
    }
}

#[test]
fn rechunks_and_copies_store_to_store() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.zarr"), dir.path().join("b.zarr"));
        convert(&sample(1980), &a, &options(format, "1980"), &|_, _| {}).unwrap();
        let first = ZarrSource::open(&a, Some("1980")).unwrap();
        let mut o = options(format, "g/1980");
        o.chunks = rsdat_zarr::parse_chunks("time=1,y=3,x=5").unwrap();
        o.parallelism = 3;
        o.store.compression = "gzip:4".parse().unwrap();
        convert(&first, &b, &o, &|_, _| {}).unwrap();
        let second = ZarrSource::open(&b, Some("g/1980")).unwrap();
        assert_same_dataset(&first, &second);
        let tmax = second.dataset().variable("tmax").unwrap();
        assert_eq!(tmax.chunks.as_deref(), Some(&[1, 3, 5][..]));
        assert_eq!(tmax.compression.as_deref(), Some("gzip(4)"));
        assert_eq!(
            second.dataset().variable("x").unwrap().chunks.as_deref(),
            Some(&[5][..])
        );
        assert_eq!(list_groups(&b).unwrap(), ["g", "g/1980"]);
    }
}

#[test]
fn adds_groups_and_guards_existing_output() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("si.zarr");
        convert(&sample(1980), &out, &options(format, "1980"), &|_, _| {}).unwrap();
        convert(&sample(1981), &out, &options(format, "1981"), &|_, _| {}).unwrap();
        assert_eq!(list_groups(&out).unwrap(), ["1980", "1981"]);
        assert_same_dataset(
            &sample(1980),
            &ZarrSource::open(&out, Some("1980")).unwrap(),
        );
        assert_same_dataset(
            &sample(1981),
            &ZarrSource::open(&out, Some("1981")).unwrap(),
        );

        // The same group again: refused, naming the group directory and the flag.
        let err = convert(&sample(1981), &out, &options(format, "1981"), &|_, _| {}).unwrap_err();
        assert!(
            matches!(&err, Error::Exists { path } if path == &out.join("1981")),
            "{err}"
        );
        assert!(err.to_string().contains("--overwrite"), "{err}");
        // With overwrite only that group is replaced.
        let mut o = options(format, "1981");
        o.store.overwrite = true;
        convert(&sample(1982), &out, &o, &|_, _| {}).unwrap();
        let g = ZarrSource::open(&out, Some("1981")).unwrap();
        assert_eq!(g.dataset().attrs.get_str("title"), Some("sample 1982"));
        assert_same_dataset(
            &sample(1980),
            &ZarrSource::open(&out, Some("1980")).unwrap(),
        );

        // No group: the whole store would be replaced, so overwrite is required.
        let mut o = options(format, "");
        o.group = None;
        let err = convert(&sample(1980), &out, &o, &|_, _| {}).unwrap_err();
        assert!(
            matches!(&err, Error::Exists { path } if path == &out),
            "{err}"
        );
        o.store.overwrite = true;
        convert(&sample(1983), &out, &o, &|_, _| {}).unwrap();
        assert!(list_groups(&out).unwrap().is_empty());
        assert_eq!(
            ZarrSource::open(&out, None)
                .unwrap()
                .dataset()
                .attrs
                .get_str("title"),
            Some("sample 1983")
        );
        assert_eq!(names(dir.path()), ["si.zarr"], "no staging leftovers");

        // The other format cannot be added to this store.
        let other = if format == ZarrFormat::V2 {
            ZarrFormat::V3
        } else {
            ZarrFormat::V2
        };
        let err = convert(&sample(1984), &out, &options(other, "1984"), &|_, _| {}).unwrap_err();
        assert!(matches!(err, Error::FormatMismatch { .. }), "{err}");
    }
}

#[test]
fn dropped_writer_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.zarr");
    {
        let mut store = StoreWriter::create(&out, StoreOptions::default()).unwrap();
        let g = store.group("1980", &Default::default()).unwrap();
        let v = Variable::new("a", DType::F32, common::dims(&[("x", 4)]));
        g.create_array(&v, &[2])
            .unwrap()
            .write_chunk(&[0], &Values::F32(common::arr(&[2], vec![1.0, 2.0])))
            .unwrap();
    }
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

#[test]
fn unwritten_chunks_read_as_fill() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.zarr");
        let options = StoreOptions {
            format: Some(format),
            ..StoreOptions::default()
        };
        let mut store = StoreWriter::create(&out, options).unwrap();
        let g = store.group("", &Default::default()).unwrap();
        let mut v = Variable::new("si", DType::I16, common::dims(&[("x", 5)]));
        v.attrs.insert("_FillValue", AttrValue::Int(vec![-9999]));
        let a = g.create_array(&v, &[2]).unwrap();
        a.write_chunk(&[2], &Values::I16(common::arr(&[1], vec![7])))
            .unwrap();
        let f = Variable::new("f", DType::F64, common::dims(&[("x", 5)]));
        g.create_array(&f, &[5]).unwrap();
        store.commit().unwrap();
        let back = ZarrSource::open(&out, None).unwrap();
        assert_eq!(
            flat(&back.read("si", &[0], &[5]).unwrap()),
            [-9999.0, -9999.0, -9999.0, -9999.0, 7.0]
        );
        assert!(flat(&back.read("f", &[0], &[5]).unwrap())
            .iter()
            .all(|x| x.is_nan()));
    }
}

#[test]
fn workers_fill_a_committed_store_in_place() {
    for format in [ZarrFormat::V2, ZarrFormat::V3] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("w.zarr");
        let options = StoreOptions {
            format: Some(format),
            ..StoreOptions::default()
        };
        let mut store = StoreWriter::create(&out, options).unwrap();
        let g = store.group("1980", &Default::default()).unwrap();
        let v = Variable::new("tmax", DType::F32, common::dims(&[("y", 5), ("x", 6)]));
        g.create_array(&v, &[2, 4]).unwrap();
        store.commit().unwrap();

        // Each "worker" opens the array itself and owns a disjoint set of chunks.
        std::thread::scope(|s| {
            for worker in 0..2_u64 {
                let out = &out;
                s.spawn(move || {
                    let a = rsdat_zarr::ArrayWriter::open(out, "1980/tmax").unwrap();
                    for chunk in a.chunk_indices().into_iter().filter(|c| c[1] == worker) {
                        let (start, count) = a.chunk_window(&chunk).unwrap();
                        let block = ndarray::ArrayD::from_shape_fn(ndarray::IxDyn(&count), |i| {
                            ((i[0] + start[0]) * 10 + i[1] + start[1]) as f32
                        });
                        a.write_chunk(&chunk, &Values::F32(block)).unwrap();
                    }
                });
            }
        });
        let back = ZarrSource::open(&out, Some("1980")).unwrap();
        let got = flat(&back.read("tmax", &[0, 0], &[5, 6]).unwrap());
        let want: Vec<f64> = (0..5)
            .flat_map(|y| (0..6).map(move |x| f64::from(y * 10 + x)))
            .collect();
        assert_eq!(got, want);
        assert!(matches!(
            rsdat_zarr::ArrayWriter::open(&out, "1980/nope").unwrap_err(),
            Error::Metadata { .. }
        ));
        assert!(matches!(
            rsdat_zarr::ArrayWriter::open(&out, "1980").unwrap_err(),
            Error::Metadata { .. }
        ));
    }
}

#[test]
fn bad_chunks_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.zarr");
    let mut store = StoreWriter::create(&out, StoreOptions::default()).unwrap();
    let g = store.group("1980", &Default::default()).unwrap();
    let v = Variable::new("tmax", DType::F32, common::dims(&[("y", 3), ("x", 5)]));
    let a = g.create_array(&v, &[2, 2]).unwrap();
    assert_eq!(a.chunk_grid_shape(), [2, 3]);
    assert_eq!(a.chunk_window(&[1, 2]).unwrap(), (vec![2, 4], vec![1, 1]));

    let err = a
        .write_chunk(&[0, 0], &Values::F32(common::arr(&[2, 3], vec![0.0; 6])))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ChunkShape { expected, found, .. } if **expected == [2, 2] && **found == [2, 3])
    );
    assert!(
        err.to_string().contains("1980/tmax") && err.to_string().contains("x.zarr"),
        "{err}"
    );
    // An edge chunk must have the cut shape.
    let err = a
        .write_chunk(&[1, 2], &Values::F32(common::arr(&[2, 2], vec![0.0; 4])))
        .unwrap_err();
    assert!(matches!(err, Error::ChunkShape { .. }), "{err}");
    let err = a
        .write_chunk(&[0, 0], &Values::F64(common::arr(&[2, 2], vec![0.0; 4])))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ChunkDType {
                expected: DType::F32,
                found: DType::F64,
                ..
            }
        ),
        "{err}"
    );
    let err = a
        .write_chunk(&[2, 0], &Values::F32(common::arr(&[2, 2], vec![0.0; 4])))
        .unwrap_err();
    assert!(matches!(err, Error::ChunkIndex { .. }), "{err}");
    let err = a
        .write_all(&Values::F32(common::arr(&[3, 4], vec![0.0; 12])))
        .unwrap_err();
    assert!(matches!(err, Error::ChunkShape { .. }), "{err}");
    let err = a
        .write_all_text(&common::arr(&[3, 5], vec![String::new(); 15]))
        .unwrap_err();
    assert!(matches!(err, Error::ChunkDType { .. }), "{err}");

    // Metadata-level mistakes.
    let err = g.create_array(&v, &[2]).unwrap_err();
    assert!(matches!(err, Error::ChunkSpec { .. }), "{err}");
    let mut bad = v.clone();
    bad.name = "../escape".into();
    assert!(matches!(
        g.create_array(&bad, &[1, 1]).unwrap_err(),
        Error::InvalidName { .. }
    ));
    let mut fill = v.clone();
    fill.dtype = DType::U8;
    fill.attrs.insert("_FillValue", AttrValue::Int(vec![-1]));
    assert!(matches!(
        g.create_array(&fill, &[1, 1]).unwrap_err(),
        Error::FillValue { .. }
    ));
    let err = ConvertPlan::new(
        &sample(1980).dataset,
        &ConvertOptions {
            chunks: vec![("z".into(), 4)],
            ..ConvertOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("`z` is not a dimension") && err.to_string().contains("time"),
        "{err}"
    );
}

#[test]
fn reader_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.zarr");
    let err = ZarrSource::open(&missing, None).unwrap_err();
    assert!(matches!(err, Error::NotAStore { .. }));
    assert!(err.to_string().contains("nope.zarr"), "{err}");

    let out = dir.path().join("s.zarr");
    for (format, group) in [(ZarrFormat::V2, "1980"), (ZarrFormat::V3, "1980")] {
        let _ = std::fs::remove_dir_all(&out);
        convert(&sample(1980), &out, &options(format, group), &|_, _| {}).unwrap();
        let err = ZarrSource::open(&out, Some("1999")).unwrap_err();
        assert!(
            matches!(&err, Error::MissingGroup { found, .. } if found == "1980"),
            "{err}"
        );
        assert!(
            err.to_string().contains("s.zarr") && err.to_string().contains("1999"),
            "{err}"
        );
        let src = ZarrSource::open(&out, Some("1980")).unwrap();
        assert!(matches!(
            src.read("nope", &[0], &[1]).unwrap_err(),
            rsdat_model::Error::UnknownVariable { .. }
        ));
        assert!(matches!(
            src.read("tmax", &[0, 0, 0], &[9, 1, 1]).unwrap_err(),
            rsdat_model::Error::Window { .. }
        ));
        assert!(src.read("plant", &[0], &[1]).is_err());
        assert!(src.read_text("tmax", &[0, 0, 0], &[1, 1, 1]).is_err());
    }
    // A corrupt chunk is a read error naming the variable, not a panic.
    let chunk = out.join("1980/mask/c/0/0");
    std::fs::write(&chunk, b"garbage").unwrap();
    let src = ZarrSource::open(&out, Some("1980")).unwrap();
    let err = src.read("mask", &[0, 0], &[4, 7]).unwrap_err();
    assert!(
        matches!(&err, rsdat_model::Error::Read { var, .. } if var == "mask"),
        "{err}"
    );
}

#[test]
fn text_needs_a_source_that_serves_it() {
    struct NoText(MemSource);
    impl Source for NoText {
        fn dataset(&self) -> &rsdat_model::Dataset {
            self.0.dataset()
        }
        fn location(&self) -> &str {
            "no-text"
        }
        fn read(&self, var: &str, start: &[usize], count: &[usize]) -> rsdat_model::Result<Values> {
            self.0.read(var, start, count)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let err = convert(
        &NoText(sample(1980)),
        dir.path().join("t.zarr"),
        &ConvertOptions::default(),
        &|_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot read"), "{err}");
    assert!(names(dir.path()).is_empty());
}
