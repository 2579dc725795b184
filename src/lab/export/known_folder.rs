//! The Pictures folder as Windows names it (the known folder
//! FOLDERID_Pictures: it may have been moved, to OneDrive or another
//! drive, and its name follows the Windows language).

use std::ffi::OsString;
use std::os::windows::ffi::OsStringExt as _;
use std::path::PathBuf;

use windows_sys::Win32::System::Com::CoTaskMemFree;
use windows_sys::Win32::UI::Shell::{FOLDERID_Pictures, KF_FLAG_DEFAULT, SHGetKnownFolderPath};

/// Where Windows keeps this user's pictures, if it says.
pub fn pictures() -> Option<PathBuf> {
    let mut raw: *mut u16 = std::ptr::null_mut();
    // unsafe: no std wrapper.
    // SAFETY: on success Windows hands us a NUL-terminated UTF-16 string,
    // read up to its NUL and freed with CoTaskMemFree (also on failure,
    // as the API asks; freeing null is allowed).
    #[allow(unsafe_code)]
    unsafe {
        let hr = SHGetKnownFolderPath(
            &FOLDERID_Pictures,
            u32::try_from(KF_FLAG_DEFAULT).unwrap_or(0),
            std::ptr::null_mut(),
            &raw mut raw,
        );
        let path = (hr >= 0 && !raw.is_null()).then(|| {
            let mut len = 0;
            while *raw.add(len) != 0 {
                len += 1;
            }
            PathBuf::from(OsString::from_wide(std::slice::from_raw_parts(raw, len)))
        });
        CoTaskMemFree(raw.cast());
        path
    }
}

#[cfg(test)]
mod tests {
    /// Wine answers with its prefix's Pictures folder; screenshots go
    /// there when it exists.
    #[test]
    fn the_known_pictures_folder_is_where_screenshots_go() {
        let known = super::pictures().expect("Windows names a Pictures folder");
        assert!(known.is_absolute(), "{known:?}");
        if known.is_dir() {
            assert_eq!(super::super::pictures_dir(), Some(known));
        } else {
            println!(
                "SKIPPED the_known_pictures_folder_is_where_screenshots_go (second half): {known:?} does not exist here"
            );
        }
    }
}
