//! Byte digests behind `md5`, `sha1`, `sha2`, `crc32` and `xxhash64`,
//! written from their specifications (RFC 1321, FIPS 180-4, ISO-HDLC CRC-32,
//! XXH64). The SHA-2 round constants are derived at first use from their
//! definition (fractional bits of square and cube roots of primes) with
//! exact integer roots, so no table has to be trusted.

use std::sync::OnceLock;

pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
    static K: OnceLock<[u32; 64]> = OnceLock::new();
    // floor(|sin(i + 1)| * 2^32): exact in f64 for these 64 values
    let k = K.get_or_init(|| std::array::from_fn(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32));
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for block in pad(data, 64, false).chunks_exact(64) {
        let m: [u32; 16] = std::array::from_fn(|i| u32::from_le_bytes(word(block, i * 4)));
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[(i / 16) * 4 + i % 4]));
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 16];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    for block in pad(data, 64, true).chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, wi) in w.iter_mut().enumerate().take(16) {
            *wi = u32::from_be_bytes(word(block, i * 4));
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A82_7999),
                1 => (b ^ c ^ d, 0x6ED9_EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6u32),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// SHA-224 / SHA-256 / SHA-384 / SHA-512 by output bits; `None` for other sizes.
pub fn sha2(data: &[u8], bits: i64) -> Option<Vec<u8>> {
    let c = sha_constants();
    match bits {
        224 | 256 => {
            let init: [u32; 8] = if bits == 256 {
                std::array::from_fn(|i| (c.h512[i] >> 32) as u32)
            } else {
                std::array::from_fn(|i| c.h384[i] as u32)
            };
            let h = sha256_blocks(data, init, &c.k512);
            let n = if bits == 256 { 8 } else { 7 };
            Some(h[..n].iter().flat_map(|v| v.to_be_bytes()).collect())
        }
        384 | 512 => {
            let init = if bits == 512 { c.h512 } else { c.h384 };
            let h = sha512_blocks(data, init, &c.k512);
            let n = if bits == 512 { 8 } else { 6 };
            Some(h[..n].iter().flat_map(|v| v.to_be_bytes()).collect())
        }
        _ => None,
    }
}

fn sha256_blocks(data: &[u8], mut h: [u32; 8], k512: &[u64; 80]) -> [u32; 8] {
    for block in pad(data, 64, true).chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, wi) in w.iter_mut().enumerate().take(16) {
            *wi = u32::from_be_bytes(word(block, i * 4));
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let k = (k512[i] >> 32) as u32;
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(k).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h
}

fn sha512_blocks(data: &[u8], mut h: [u64; 8], k: &[u64; 80]) -> [u64; 8] {
    for block in pad(data, 128, true).chunks_exact(128) {
        let mut w = [0u64; 80];
        for (i, wi) in w.iter_mut().enumerate().take(16) {
            let mut b = [0u8; 8];
            b.copy_from_slice(&block[i * 8..i * 8 + 8]);
            *wi = u64::from_be_bytes(b);
        }
        for i in 16..80 {
            let s0 = w[i - 15].rotate_right(1) ^ w[i - 15].rotate_right(8) ^ (w[i - 15] >> 7);
            let s1 = w[i - 2].rotate_right(19) ^ w[i - 2].rotate_right(61) ^ (w[i - 2] >> 6);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..80 {
            let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(k[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h
}

struct ShaConstants {
    /// first 64 fractional bits of the cube roots of the first 80 primes
    k512: [u64; 80],
    /// ... of the square roots of the first 8 primes
    h512: [u64; 8],
    /// ... of the square roots of the 9th to 16th primes
    h384: [u64; 8],
}

fn sha_constants() -> &'static ShaConstants {
    static C: OnceLock<ShaConstants> = OnceLock::new();
    C.get_or_init(|| {
        let primes = first_primes(80);
        ShaConstants {
            k512: std::array::from_fn(|i| frac_root(primes[i], 3)),
            h512: std::array::from_fn(|i| frac_root(primes[i], 2)),
            h384: std::array::from_fn(|i| frac_root(primes[i + 8], 2)),
        }
    })
}

fn first_primes(n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(n);
    let mut p = 2u64;
    while out.len() < n {
        if (2..p).take_while(|d| d * d <= p).all(|d| !p.is_multiple_of(d)) {
            out.push(p);
        }
        p += 1;
    }
    out
}

/// The first 64 fractional bits of the `k`-th root of `p`: the integer
/// `k`-th root of `p * 2^(64k)`, less its integer part.
fn frac_root(p: u64, k: u32) -> u64 {
    // target = p << (64 * k), as little-endian limbs
    let mut target = vec![0u64; k as usize + 1];
    target[k as usize] = p;
    let (mut lo, mut hi) = (0u128, 1u128 << 72);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let limbs = [mid as u64, (mid >> 64) as u64];
        let mut power = vec![1u64];
        for _ in 0..k {
            power = mul_limbs(&power, &limbs);
        }
        if cmp_limbs(&power, &target) == std::cmp::Ordering::Greater {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo as u64
}

fn mul_limbs(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &y) in b.iter().enumerate() {
            let t = out[i + j] as u128 + x as u128 * y as u128 + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
    out
}

fn cmp_limbs(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    for i in (0..n).rev() {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

fn word(block: &[u8], at: usize) -> [u8; 4] {
    [block[at], block[at + 1], block[at + 2], block[at + 3]]
}

/// Merkle-Damgard padding: 0x80, zeros, then the bit length (64-bit
/// little-endian for MD5, big-endian and block/8 bytes wide for SHA).
fn pad(data: &[u8], block: usize, big_endian: bool) -> Vec<u8> {
    let len_bytes = if block == 128 { 16 } else { 8 };
    let mut out = data.to_vec();
    out.push(0x80);
    while out.len() % block != block - len_bytes {
        out.push(0);
    }
    let bits = (data.len() as u128) * 8;
    if big_endian {
        out.extend_from_slice(&bits.to_be_bytes()[16 - len_bytes..]);
    } else {
        out.extend_from_slice(&(bits as u64).to_le_bytes());
    }
    out
}

/// CRC-32 (ISO-HDLC, the zlib/`java.util.zip.CRC32` one).
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        std::array::from_fn(|n| {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            c
        })
    });
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

fn xx_round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1)
}

fn xx_merge(h: u64, v: u64) -> u64 {
    (h ^ xx_round(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

/// XXH64 of `data` with `seed` (Spark's `XXH64.hashUnsafeBytes`, and of the
/// 4/8 little-endian bytes for `hashInt` / `hashLong`).
pub fn xxhash64(data: &[u8], seed: u64) -> u64 {
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [seed.wrapping_add(P1).wrapping_add(P2), seed.wrapping_add(P2), seed, seed.wrapping_sub(P1)];
        while rest.len() >= 32 {
            for (k, acc) in v.iter_mut().enumerate() {
                *acc = xx_round(*acc, read_u64(&rest[k * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for acc in v {
            h = xx_merge(h, acc);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(data.len() as u64);
    while rest.len() >= 8 {
        h = (h ^ xx_round(0, read_u64(rest))).rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let w = u32::from_le_bytes(word(rest, 0)) as u64;
        h = (h ^ w.wrapping_mul(P1)).rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h = (h ^ (b as u64).wrapping_mul(P5)).rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

fn read_u64(b: &[u8]) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[..8]);
    u64::from_le_bytes(x)
}

/// Lowercase hex of bytes.
pub fn hex_lower(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_vectors() {
        assert_eq!(hex_lower(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex_lower(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hex_lower(&md5(b"Spark")), "8cde774d6f7333752ed72cacddb05126");
        let long = b"12345678901234567890123456789012345678901234567890123456789012345678901234567890";
        assert_eq!(hex_lower(&md5(long)), "57edf4a22be3c955ac49da2e2107b67a");
    }

    #[test]
    fn sha_vectors() {
        assert_eq!(hex_lower(&sha1(b"Spark")), "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c");
        assert_eq!(hex_lower(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex_lower(&sha2(b"Spark", 256).unwrap()),
            "529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"
        );
        assert_eq!(hex_lower(&sha2(b"abc", 224).unwrap()), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
        assert_eq!(
            hex_lower(&sha2(b"abc", 384).unwrap()),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            hex_lower(&sha2(b"abc", 512).unwrap()),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert!(sha2(b"abc", 100).is_none());
    }

    #[test]
    fn crc_and_xxhash() {
        // SELECT crc32('Spark') -> 1557323817
        assert_eq!(crc32(b"Spark"), 1_557_323_817);
        assert_eq!(xxhash64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxhash64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
    }
}
