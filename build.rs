//! Windows only: embeds the icon and the version info (assets/udp-lab.rc,
//! compiled by windres or rc.exe) into udp-lab.exe. On other targets it
//! prints its rerun rules and returns.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/udp-lab.rc");
    println!("cargo:rerun-if-changed=assets/icon.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    // The version goes in as a header in OUT_DIR (on the resource
    // compiler's include path): string macros on windres' command line
    // lose their quotes to the shell it runs the preprocessor in.
    let part = |name: &str| std::env::var(name).unwrap_or_else(|_| "0".into());
    let header = format!(
        "#define UDP_LAB_VERSION \"{}\"\n#define UDP_LAB_MAJOR {}\n#define UDP_LAB_MINOR {}\n#define UDP_LAB_PATCH {}\n",
        env!("CARGO_PKG_VERSION"),
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    let written = std::env::var("OUT_DIR")
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            std::fs::write(std::path::Path::new(&dir).join("udp-lab-version.h"), header)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = written {
        println!("cargo:warning=udp-lab.exe has no icon or version info: {e}");
        return;
    }
    // The icon is cosmetic: without a resource compiler the build goes on
    // and says why the .exe has the default icon.
    if let Err(e) =
        embed_resource::compile("assets/udp-lab.rc", embed_resource::NONE).manifest_optional()
    {
        println!("cargo:warning=udp-lab.exe has no icon or version info: {e}");
    }
}
