use super::*;

const PRIVET: &str = "Привет, сервер";

#[test]
fn cyrillic_sent_as_cp1251_reads_right_as_cp1251_and_escaped_as_utf8() {
    let bytes = Encoding::Cp1251
        .encode(PRIVET)
        .expect("Cyrillic is in CP1251");
    // One byte a letter: "П" is 0xcf, "р" 0xf0 in Windows-1251.
    assert_eq!(bytes.len(), PRIVET.chars().count());
    assert_eq!(&bytes[..2], &[0xcf, 0xf0]);
    assert_eq!(Encoding::Cp1251.decode(&bytes), PRIVET);
    // Read as UTF-8: the bytes, escaped; ASCII stays readable.
    assert_eq!(
        Encoding::Utf8.decode(&bytes),
        "\\xcf\\xf0\\xe8\\xe2\\xe5\\xf2, \\xf1\\xe5\\xf0\\xe2\\xe5\\xf0"
    );
}

#[test]
fn every_code_page_round_trips_russian() {
    for enc in [
        Encoding::Utf8,
        Encoding::Cp1251,
        Encoding::Cp866,
        Encoding::Koi8R,
    ] {
        let bytes = enc.encode("Съешь ещё этих булок").expect("encodes");
        assert_eq!(enc.decode(&bytes), "Съешь ещё этих булок", "{enc:?}");
    }
    // The code pages differ: the same word, other bytes.
    assert_eq!(Encoding::Cp866.encode("П"), Ok(vec![0x8f]));
    assert_eq!(Encoding::Koi8R.encode("П"), Ok(vec![0xf0]));
}

#[test]
fn latin1_is_iso_8859_1_and_hex_is_pairs() {
    assert_eq!(
        Encoding::Latin1.encode("café"),
        Ok(vec![b'c', b'a', b'f', 0xe9])
    );
    // 0x80 is a control character in ISO-8859-1 (windows-1252 would say €).
    assert_eq!(Encoding::Latin1.decode(&[0x80, 0xe9]), "\\x80é");
    assert_eq!(
        Encoding::Latin1.encode("Привет"),
        Err(EncodeError::Unmappable {
            ch: 'П',
            encoding: Encoding::Latin1
        })
    );
    assert_eq!(
        Encoding::Hex.encode("48 65 0x6c,6c6f"),
        Ok(b"Hello".to_vec())
    );
    assert_eq!(Encoding::Hex.decode(b"Hi"), "48 69");
    assert!(matches!(
        Encoding::Hex.encode("4"),
        Err(EncodeError::BadHex(_))
    ));
    assert!(matches!(
        Encoding::Hex.encode("zz"),
        Err(EncodeError::BadHex(_))
    ));
}

#[test]
fn what_a_code_page_lacks_is_named() {
    let err = Encoding::Cp1251
        .encode("Привет ✓")
        .expect_err("no check mark in CP1251");
    assert_eq!(
        err.to_string(),
        "\"✓\" cannot be written in CP1251: choose UTF-8 or remove it"
    );
}

#[test]
fn controls_stay_escaped_in_every_encoding() {
    for enc in Encoding::ALL {
        if enc != Encoding::Hex {
            assert_eq!(enc.decode(b"a\nb\x1b"), "a\\nb\\x1b", "{enc:?}");
        }
    }
}

#[test]
fn english_encoding_errors_match_the_lab_wording() {
    for text in ["✓", ""] {
        let e = Encoding::Cp1251
            .encode(text)
            .err()
            .or_else(|| Encoding::Hex.encode("zz").err());
        let e = e.expect("an error");
        assert_eq!(encode_error(Lang::En, &e), e.to_string());
    }
}
