//! Which Cyrillic code page undecodable bytes were written in.

use crate::lab::text::Encoding;

/// A single-byte Cyrillic encoding that reads undecodable bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    /// "CP1251", "CP866", "KOI8-R".
    pub name: &'static str,
    /// Python's codec name.
    pub codec: &'static str,
    /// The bytes as that encoding reads them.
    pub text: String,
}

/// The Cyrillic encoding the bytes were most likely written in: the one
/// that reads most of their high bytes as lowercase Russian letters (text
/// is mostly lowercase; the wrong table gives capitals or box drawing).
pub fn cyrillic_fit(bytes: &[u8]) -> Option<Fit> {
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    if high == 0 {
        return None;
    }
    // The code pages the window and the CLI speak (lab::text, encoding_rs).
    let candidates = [
        ("CP1251", "cp1251", Encoding::Cp1251),
        ("CP866", "cp866", Encoding::Cp866),
        ("KOI8-R", "koi8_r", Encoding::Koi8R),
    ];
    let lower = |c: char| ('а'..='я').contains(&c) || c == 'ё';
    let (name, codec, text, score) = candidates
        .into_iter()
        .map(|(name, codec, encoding)| {
            let text = encoding.decode(bytes);
            let score = text.chars().filter(|&c| lower(c)).count();
            (name, codec, text, score)
        })
        .max_by_key(|c| c.3)?;
    // Most high bytes must read as lowercase letters: otherwise it is not
    // Russian text in any of them (binary, or another language).
    if score * 2 < high {
        return None;
    }
    Some(Fit {
        name,
        codec,
        text: text.chars().take(60).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_that_reads_russian_is_named() {
        let text = "привет, сервер";
        // Python: "привет, сервер".encode(codec)
        let cp1251 = [
            0xef, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, b',', b' ', 0xf1, 0xe5, 0xf0, 0xe2, 0xe5, 0xf0,
        ];
        let cp866 = [
            0xaf, 0xe0, 0xa8, 0xa2, 0xa5, 0xe2, b',', b' ', 0xe1, 0xa5, 0xe0, 0xa2, 0xa5, 0xe0,
        ];
        let koi8 = [
            0xd0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, b',', b' ', 0xd3, 0xc5, 0xd2, 0xd7, 0xc5, 0xd2,
        ];
        for (bytes, name) in [(&cp1251, "CP1251"), (&cp866, "CP866"), (&koi8, "KOI8-R")] {
            let fit = cyrillic_fit(bytes);
            assert_eq!(fit.as_ref().map(|f| f.name), Some(name));
            assert_eq!(fit.map(|f| f.text), Some(text.to_owned()));
        }
        assert_eq!(cyrillic_fit(&[0xff, 0x00, 0x80, 0x81]), None);
        assert_eq!(cyrillic_fit(b"plain"), None);
    }
}
