"""Writes rsdat-geotiff's test GeoTIFFs with rasterio, plus what rasterio reads from them.

Usage: python make_fixtures.py OUT_DIR

For each `NAME.tif` the directory gets:
  NAME.json        metadata as rasterio reports it (shape, dtype, transform in GDAL order,
                   EPSG, PROJ.4, nodata, block shape, compression, overviews, scales, and
                   GDAL's byte offset and size of every block of the full image)
  NAME.bin         `src.read()` (band, y, x), raw little-endian
  NAME.x.bin       pixel-centre x coordinates as rioxarray computes them (float64)
  NAME.y.bin       pixel-centre y coordinates (float64)
  NAME.ovrK.bin    `rasterio.open(path, overview_level=K).read()` for each overview K
Files that rsdat must refuse get only NAME.json with {"expect_error": "..."}.
The test suite runs this script itself through `rsdat_testkit::fixtures` (cached under
$RSDAT_FIXTURES by the script's content); the generated files are not committed.
"""

import json
import os
import sys

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.io import MemoryFile
from rasterio.transform import Affine, from_origin

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
RNG = np.random.default_rng(20240501)


def field(shape, lo, hi, noise):
    """A smooth field with noise: compresses like real imagery, not like zeros."""
    h, w = shape[-2:]
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.sin(xx / 37.0) * np.cos(yy / 53.0) + 0.3 * np.sin((xx + yy) / 11.0)
    base = (base - base.min()) / (np.ptp(base) + 1e-12)
    out = lo + (hi - lo) * base + RNG.normal(0, noise, size=shape)
    return np.clip(out, lo, hi)


def record(path, name):
    """Writes what rasterio reads from `path` next to it."""
    meta = {"file": os.path.basename(path)}
    with rasterio.open(path) as src:
        data = src.read()
        meta.update(
            width=src.width,
            height=src.height,
            count=src.count,
            dtype=src.dtypes[0],
            transform=list(src.transform.to_gdal()) if not src.transform.is_identity else None,
            epsg=src.crs.to_epsg() if src.crs else None,
            proj4=src.crs.to_proj4() if src.crs else None,
            nodata=None if src.nodata is None else (
                "nan" if np.isnan(src.nodata) else src.nodata
            ),
            block_shape=list(src.block_shapes[0]),
            compression=src.compression.value.lower() if src.compression else None,
            interleave=src.interleaving.value.lower() if src.interleaving else None,
            overviews=src.overviews(1),
            scales=list(src.scales),
            offsets=list(src.offsets),
            area_or_point=src.tags().get("AREA_OR_POINT", "Area"),
            tags={k: v for k, v in src.tags().items() if k != "AREA_OR_POINT"},
            tiled=bool(src.profile.get("tiled", False)),
        )
        # Where GDAL says each block of the full image lies: [band, row, col, offset, size].
        bh, bw = src.block_shapes[0]
        meta["blocks"] = [
            [b, r, c,
             int(src.get_tag_item(f"BLOCK_OFFSET_{c}_{r}", "TIFF", bidx=b) or 0),
             int(src.get_tag_item(f"BLOCK_SIZE_{c}_{r}", "TIFF", bidx=b) or 0)]
            for b in range(1, src.count + 1)
            for r in range((src.height + bh - 1) // bh)
            for c in range((src.width + bw - 1) // bw)
        ]
        t = src.transform
        # rioxarray's 1-D coordinates: (col + 0.5, 0.5) * affine and (0.5, row + 0.5) * affine.
        xs, _ = t * (np.arange(src.width) + 0.5, np.zeros(src.width) + 0.5)
        _, ys = t * (np.zeros(src.height) + 0.5, np.arange(src.height) + 0.5)
        np.asarray(xs, "<f8").tofile(os.path.join(OUT, name + ".x.bin"))
        np.asarray(ys, "<f8").tofile(os.path.join(OUT, name + ".y.bin"))
    data.astype(data.dtype.newbyteorder("<")).tofile(os.path.join(OUT, name + ".bin"))
    ovr = []
    for k in range(len(meta["overviews"])):
        with rasterio.open(path, overview_level=k) as o:
            ovr.append(
                {"width": o.width, "height": o.height, "transform": list(o.transform.to_gdal())}
            )
            d = o.read()
            d.astype(d.dtype.newbyteorder("<")).tofile(os.path.join(OUT, f"{name}.ovr{k}.bin"))
    meta["overview_levels"] = ovr
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)


def gtiff(name, data, crs, transform, nodata=None, post=None, **opts):
    """Writes a GTiff with creation options `opts`, then records it."""
    path = os.path.join(OUT, name + ".tif")
    count, h, w = data.shape
    profile = dict(
        driver="GTiff", width=w, height=h, count=count, dtype=data.dtype, crs=crs,
        transform=transform, nodata=nodata, **opts,
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        if post:
            post(dst)
    record(path, name)


def cog(name, data, crs, transform, nodata=None, **opts):
    """Writes a COG through GDAL's COG driver (overviews included), then records it."""
    path = os.path.join(OUT, name + ".tif")
    count, h, w = data.shape
    with MemoryFile() as mem:
        with mem.open(
            driver="GTiff", width=w, height=h, count=count, dtype=data.dtype, crs=crs,
            transform=transform, nodata=nodata,
        ) as tmp:
            tmp.write(data)
        with mem.open() as src:
            rasterio.shutil.copy(src, path, driver="COG", **opts)
    record(path, name)


# 1. A Sentinel-2 L2A B02-like COG: uint16, UTM 31N, 10 m, deflate + predictor 2,
#    512 x 512 tiles, nodata 0, overviews; edge tiles on both axes.
s2 = field((1, 1300, 1500), 0, 10000, 150).astype("uint16")
s2[0, :40, :70] = 0
cog(
    "cog_u16_deflate", s2, CRS.from_epsg(32631), from_origin(600000, 5700000, 10, 10),
    nodata=0, blocksize=512, compress="DEFLATE", predictor=2, overview_resampling="average",
)

# 2. Tiled float32, zstd, nodata -9999 in a corner, Web Mercator.
f32 = field((1, 500, 700), -50, 50, 2).astype("float32")
f32[0, 450:, 600:] = -9999
gtiff(
    "f32_zstd_nodata", f32, CRS.from_epsg(3857), from_origin(-20000, 6000000, 30, 30),
    nodata=-9999, tiled=True, blockxsize=256, blockysize=256, compress="ZSTD",
)

# 3. Stripped uint8 LZW, 16 rows per strip (last strip short), UTM 60S, PixelIsPoint.
u8 = field((1, 257, 300), 0, 255, 8).astype("uint8")
gtiff(
    "u8_lzw_strips", u8, CRS.from_epsg(32760), from_origin(300000, 8000000, 20, 20),
    compress="LZW", blockysize=16, post=lambda d: d.update_tags(AREA_OR_POINT="Point"),
)

# 4/5. int16, 3 bands, deflate + predictor 2, Albers (EPSG:5070), scale/offset;
#      pixel-interleaved tiles and band-separate strips of the same data.
i16 = field((3, 222, 333), -3000, 3000, 40).astype("int16")
i16[1] = -i16[1]
i16[2] //= 2


def scales(dst):
    dst.scales = (0.01, 0.01, 0.02)
    dst.offsets = (-5.0, -5.0, 0.0)
    dst.update_tags(TITLE="ndvi & friends", SOURCE="rsdat fixtures")


gtiff(
    "i16_pixel", i16, CRS.from_epsg(5070), from_origin(-2000000, 3000000, 30, 30),
    nodata=-32768, tiled=True, blockxsize=128, blockysize=128, compress="DEFLATE",
    predictor=2, interleave="pixel", post=scales,
)
gtiff(
    "i16_band", i16, CRS.from_epsg(5070), from_origin(-2000000, 3000000, 30, 30),
    nodata=-32768, blockysize=32, compress="DEFLATE", predictor=2, interleave="band",
)

# 6. float64, floating-point predictor, NaN holes, LAEA Europe (EPSG:3035), with an
#    internal mask and overviews, so IFDs alternate image / mask.
f64 = field((1, 200, 300), 0, 1, 0.01)
f64[0, 10:20, 30:40] = np.nan
path = os.path.join(OUT, "f64_pred3.tif")
with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
    with rasterio.open(
        path, "w", driver="GTiff", width=300, height=200, count=1, dtype="float64",
        crs=CRS.from_epsg(3035), transform=from_origin(4000000, 3000000, 100, 100),
        tiled=True, blockxsize=128, blockysize=128, compress="DEFLATE", predictor=3,
    ) as dst:
        dst.write(f64)
        mask = np.full((200, 300), 255, "uint8")
        mask[:50, :50] = 0
        dst.write_mask(mask)
    with rasterio.open(path, "r+") as dst:
        dst.build_overviews([2, 4], Resampling.nearest)
record(path, "f64_pred3")

# 7. A tiny geographic EPSG:4326 file, uncompressed, one strip.
geo = field((1, 23, 37), -10, 30, 1).astype("float32")
gtiff("geo4326_tiny", geo, CRS.from_epsg(4326), from_origin(4.5, 53.0, 0.25, 0.25))

# 8. Rotated grid (ModelTransformation), int32, 2 bands, PackBits, strips.
i32 = (field((2, 30, 40), -1e6, 1e6, 1000)).astype("int32")
rot = Affine(30.0, 5.0, 500000.0, 4.0, -30.0, 4000000.0)
gtiff("rotated_i32_packbits", i32, CRS.from_epsg(32631), rot, compress="PACKBITS")

# 9. uint32, 2 bands, LZW + predictor 2, tiles, user-defined Lambert conformal conic
#    (Daymet's CRS, written as GeoKeys without an EPSG code).
u32 = field((2, 150, 170), 0, 4e9, 1e6).astype("uint32")
daymet = CRS.from_proj4(
    "+proj=lcc +lat_1=25 +lat_2=60 +lat_0=42.5 +lon_0=-100 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
)
gtiff(
    "u32_lzw_lcc", u32, daymet, from_origin(-1000000, 500000, 1000, 1000), tiled=True,
    blockxsize=64, blockysize=64, compress="LZW", predictor=2,
)

# 10. BigTIFF with zstd + floating-point predictor, float32, band-separate 2 bands, RD New.
f32b = field((2, 90, 110), -1, 1, 0.05).astype("float32")
gtiff(
    "bigtiff_f32_pred3", f32b, CRS.from_epsg(28992), from_origin(100000, 500000, 25, 25),
    tiled=True, blockxsize=32, blockysize=32, compress="ZSTD", predictor=3,
    interleave="band", BIGTIFF="YES",
)

# 11. Big-endian (Motorola) byte order, int16 deflate + predictor 2, tiles.
gtiff(
    "bigendian_i16", i16[:1, :100, :120].copy(), CRS.from_epsg(32631),
    from_origin(600000, 5700000, 10, 10), tiled=True, blockxsize=64, blockysize=64,
    compress="DEFLATE", predictor=2, ENDIANNESS="BIG",
)

# 12. South-up grid (positive pixel height: GDAL writes a ModelTransformation), int8.
i8 = field((1, 21, 19), -128, 127, 3).astype("int8")
gtiff(
    "southup_i8", i8, CRS.from_epsg(32631), Affine(10.0, 0.0, 500000.0, 0.0, 10.0, 4000000.0),
    compress="DEFLATE",
)

# 13. JPEG-compressed: rsdat must refuse it by name.
jpg = field((1, 64, 64), 0, 255, 5).astype("uint8")
path = os.path.join(OUT, "jpeg.tif")
with rasterio.open(
    path, "w", driver="GTiff", width=64, height=64, count=1, dtype="uint8", compress="JPEG",
) as dst:
    dst.write(jpg)
with open(os.path.join(OUT, "jpeg.json"), "w") as f:
    json.dump({"file": "jpeg.tif", "expect_error": "compression 7 (JPEG) is not supported"}, f)
