//! The few protobuf primitives MVT needs.

pub(crate) const VARINT: u32 = 0;
pub(crate) const FIXED64: u32 = 1;
pub(crate) const LEN: u32 = 2;
pub(crate) const FIXED32: u32 = 5;

#[inline]
pub(crate) fn varint(out: &mut Vec<u8>, mut value: u64) {
    if value < 0x80 {
        #[expect(clippy::cast_possible_truncation, reason = "below 0x80 here")]
        out.push(value as u8);
        return;
    }
    while value >= 0x80 {
        #[expect(clippy::cast_possible_truncation, reason = "the low 7 bits, masked")]
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    #[expect(clippy::cast_possible_truncation, reason = "below 0x80 here")]
    out.push(value as u8);
}

/// The length of `value` as a varint.
#[inline]
pub(crate) fn varint_len(value: u64) -> usize {
    // One byte per started group of 7 bits; zero takes one byte.
    (u64::BITS - (value | 1).leading_zeros()).div_ceil(7) as usize
}

/// The length of a length-delimited field of `len` bytes under a one-byte key.
#[inline]
pub(crate) fn bytes_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

#[inline]
pub(crate) fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from(field << 3 | wire));
}

#[inline]
pub(crate) fn bytes(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, LEN);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

pub(crate) fn zigzag(value: i32) -> u32 {
    #[expect(clippy::cast_sign_loss, reason = "zigzag maps the sign into the low bit")]
    let encoded = ((value << 1) ^ (value >> 31)) as u32;
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag() {
        let mut out = Vec::new();
        varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        assert_eq!(
            [zigzag(0), zigzag(-1), zigzag(1), zigzag(-2), zigzag(i32::MAX), zigzag(i32::MIN)],
            [0, 1, 2, 3, u32::MAX - 1, u32::MAX]
        );
    }

    #[test]
    fn varint_lengths_are_the_bytes_written() {
        for value in [
            0,
            1,
            0x7f,
            0x80,
            300,
            0x3fff,
            0x4000,
            u64::from(u32::MAX),
            1 << 56,
            u64::MAX - 1,
            u64::MAX,
        ]
        .into_iter()
        .chain((0..64).map(|bit| 1u64 << bit))
        .chain((1..64).map(|bit| (1u64 << bit) - 1))
        {
            let mut out = Vec::new();
            varint(&mut out, value);
            assert_eq!(varint_len(value), out.len(), "{value}");
        }
    }
}
