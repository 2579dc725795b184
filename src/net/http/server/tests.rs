use super::head_end;

#[test]
fn the_head_ends_at_the_first_empty_line() {
    assert_eq!(head_end(b"GET / HTTP/1.0\r\n\r\nbody"), Some(18));
    assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
    assert_eq!(head_end(b"GET / HTTP/1.0\r\nHost: x\r\n"), None);
}
