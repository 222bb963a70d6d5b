//! Nondeterministic functions: `rand` / `randn` with Spark's generator
//! (`XORShiftRandom` seeded with the Murmur3 hash of the seed, Java's
//! `nextDouble` / `nextGaussian` on top), `uuid`, `spark_partition_id`.
//!
//! The generator starts from the seed at every call, so a seeded `rand`
//! matches Spark's first partition for the rows of one batch; Ember does
//! not carry the generator across batches (the kernels are stateless).
//! The analyzer supplies a random seed when the query gives none.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array};
use ember_core::Result;

use super::args::{build_strings, I64s};
use super::Ctx;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "rand" | "random" => generate(c, XorShift::next_double),
        "randn" => {
            let mut spare: Option<f64> = None;
            generate(c, move |r| r.next_gaussian(&mut spare))
        }
        "uuid" => uuid(c),
        "uniform" => uniform(c),
        "randstr" => randstr(c),
        "spark_partition_id" => Ok(Arc::new(Int32Array::from(vec![0; c.n])) as ArrayRef),
        _ => return None,
    })
}

/// Whether a function gives different values for equal arguments (such
/// calls must not be folded into constants).
pub fn is_nondeterministic(name: &str) -> bool {
    matches!(name, "rand" | "random" | "randn" | "uuid" | "shuffle" | "uniform" | "randstr")
}

/// `uniform(min, max, seed)`: `min + r * (max - min)` for each row's next
/// double `r`, in the result type (integers truncate, decimals round).
fn uniform(c: &Ctx) -> Result<ArrayRef> {
    let lo = super::args::F64s::new(c.arg(0)?)?;
    let hi = super::args::F64s::new(c.arg(1)?)?;
    let seed = I64s::new(c.arg(2)?)?.get(0).unwrap_or(0);
    let mut rng = XorShift::new(seed);
    let out: Float64Array = (0..c.n)
        .map(|i| {
            let r = rng.next_double();
            Some(lo.get(i)? + r * (hi.get(i)? - lo.get(i)?))
        })
        .collect();
    let out: ArrayRef = Arc::new(out);
    if c.return_type == &arrow::datatypes::DataType::Float64 {
        return Ok(out);
    }
    crate::cast::cast(&out, c.return_type, ember_core::EvalMode::Legacy)
}

/// `randstr(length, seed)`: letters and digits drawn with Spark's
/// generator (`|nextInt % 62|` picks among 0-9, a-z, A-Z).
fn randstr(c: &Ctx) -> Result<ArrayRef> {
    let len = I64s::new(c.arg(0)?)?;
    let seed = I64s::new(c.arg(1)?)?.get(0).unwrap_or(0);
    let mut rng = XorShift::new(seed);
    build_strings(c.n, |i, buf| {
        let Some(n) = len.get(i) else { return Ok(false) };
        for _ in 0..n.max(0) {
            let v = (rng.next_int() % 62).unsigned_abs() as u8;
            buf.push(match v {
                0..=9 => (b'0' + v) as char,
                10..=35 => (b'a' + v - 10) as char,
                _ => (b'A' + v - 36) as char,
            });
        }
        Ok(true)
    })
}

fn generate(c: &Ctx, mut f: impl FnMut(&mut XorShift) -> f64) -> Result<ArrayRef> {
    let seed = match c.args.first() {
        Some(s) => I64s::new(s)?.get(0).unwrap_or(0),
        None => SplitMix::from_entropy().next_u64() as i64,
    };
    let mut rng = XorShift::new(seed);
    let out: Float64Array = (0..c.n).map(|_| Some(f(&mut rng))).collect();
    Ok(Arc::new(out))
}

/// Spark's `XORShiftRandom`.
pub(crate) struct XorShift {
    state: i64,
}

impl XorShift {
    pub(crate) fn new(seed: i64) -> XorShift {
        XorShift { state: hash_seed(seed) }
    }

    fn next(&mut self, bits: u32) -> i32 {
        let mut s = self.state ^ (self.state << 21);
        s ^= ((s as u64) >> 35) as i64;
        s ^= s << 4;
        self.state = s;
        (s & ((1u64 << bits) as i64).wrapping_sub(1)) as i32
    }

    /// Java's `Random.nextInt()`.
    pub(crate) fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// Java's `Random.nextDouble`.
    pub(crate) fn next_double(&mut self) -> f64 {
        let hi = self.next(26) as i64;
        let lo = self.next(27) as i64;
        ((hi << 27) + lo) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Java's `Random.nextGaussian` (polar method, second value kept).
    pub(crate) fn next_gaussian(&mut self, spare: &mut Option<f64>) -> f64 {
        if let Some(v) = spare.take() {
            return v;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                let m = (-2.0 * s.ln() / s).sqrt();
                *spare = Some(v2 * m);
                return v1 * m;
            }
        }
    }
}

/// Scala's `MurmurHash3.bytesHash` over the 8 big-endian bytes of the
/// seed, twice (low then high word).
fn hash_seed(seed: i64) -> i64 {
    let bytes = seed.to_be_bytes();
    let low = scala_bytes_hash(&bytes, 0x3c07_4a61);
    let high = scala_bytes_hash(&bytes, low);
    ((high as i64) << 32) | (low as i64)
}

fn scala_bytes_hash(data: &[u8], seed: u32) -> u32 {
    let mut h = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for w in chunks {
        let k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        h = mix(h, k);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k ^= (*b as u32) << (8 * i);
        }
        h = mix(h, k);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

fn mix(h: u32, k: u32) -> u32 {
    h ^ k.wrapping_mul(0xcc9e_2d51).rotate_left(15).wrapping_mul(0x1b87_3593)
}

/// A small fast generator for values that need no reproducibility.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn from_entropy() -> SplitMix {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let k = COUNTER.fetch_add(1, Ordering::Relaxed);
        SplitMix(t ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (&k as *const u64 as u64))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Random (version 4) UUIDs in their canonical text form.
fn uuid(c: &Ctx) -> Result<ArrayRef> {
    let mut rng = SplitMix::from_entropy();
    build_strings(c.n, |_, buf| {
        let hi = (rng.next_u64() & !0xF000) | 0x4000;
        let lo = (rng.next_u64() & !(0xC000u64 << 48)) | (0x8000u64 << 48);
        let b = [hi.to_be_bytes(), lo.to_be_bytes()].concat();
        for (i, x) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                buf.push('-');
            }
            buf.push_str(&format!("{x:02x}"));
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_shaped() {
        let ctx = Ctx {
            name: "uuid",
            args: &[],
            return_type: &arrow::datatypes::DataType::Utf8,
            mode: ember_core::EvalMode::Ansi,
            tz: crate::tz::utc(),
            n: 2,
        };
        let a = uuid(&ctx).unwrap();
        let s = arrow::array::AsArray::as_string::<i32>(a.as_ref());
        assert_eq!(s.value(0).len(), 36);
        assert_eq!(&s.value(0)[14..15], "4");
        assert_ne!(s.value(0), s.value(1));
    }

    #[test]
    fn randstr_and_uniform_like_spark() {
        // SELECT randstr(10, 0) -> ceV0PXaR2I; uniform(10, 20, 0) -> 17
        let ctx = |args: &[crate::ColumnarValue], rt: &arrow::datatypes::DataType| {
            let c =
                Ctx { name: "", args, return_type: rt, mode: ember_core::EvalMode::Ansi, tz: crate::tz::utc(), n: 1 };
            (if rt == &arrow::datatypes::DataType::Utf8 { randstr(&c) } else { uniform(&c) }).unwrap()
        };
        let l = |v: i64| crate::ColumnarValue::Scalar(ember_core::ScalarValue::Int64(Some(v)));
        let f = |v: f64| crate::ColumnarValue::Scalar(ember_core::ScalarValue::Float64(Some(v)));
        let s = ctx(&[l(10), l(0)], &arrow::datatypes::DataType::Utf8);
        assert_eq!(arrow::array::AsArray::as_string::<i32>(s.as_ref()).value(0), "ceV0PXaR2I");
        let u = ctx(&[f(10.0), f(20.0), l(0)], &arrow::datatypes::DataType::Int32);
        assert_eq!(arrow::array::AsArray::as_primitive::<arrow::datatypes::Int32Type>(u.as_ref()).value(0), 17);
    }

    #[test]
    fn doubles_are_in_range() {
        let mut r = XorShift::new(42);
        for _ in 0..1000 {
            let d = r.next_double();
            assert!((0.0..1.0).contains(&d));
        }
    }
}
