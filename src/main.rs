//! UDP Lab's entry point: with no subcommand it opens the window; `server`
//! and `client` run the same socket layer headless, printing the lab's lines.

// No console window when a student double-clicks the release build on Windows.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

mod cli;

use std::process::ExitCode;

use udp_lab::app::{APP_ID, StartOptions, UdpLabApp};
use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::fill;

fn main() -> ExitCode {
    let _ = udp_lab::app::LAUNCHED.set(std::time::Instant::now());
    cli::attach_parent_console();
    // The language first: clap's help and refusals are in it.
    let words: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::choose_lang(&words);
    let args = cli::parse(words, lang);
    // Issue 26: a word that is no subcommand is a lesson or capture to
    // open; one that names no file is refused here, in plain words.
    if let Some(file) = &args.file
        && !file.exists()
    {
        say_error(
            fill(C::NoSuchFile.get(lang), &[("path", &file.display())]),
            None,
        );
        return ExitCode::from(2);
    }
    match args.command {
        Some(command) => cli::run(command),
        None => run_window(StartOptions {
            bind: args.bind,
            start_server: args.start_server,
            send: args.send,
            lang: args.lang.map(Into::into),
            to: args.to,
            presentation: args.presentation,
            demo_step_by_step: args.demo_step_by_step,
            view: args.view.map(Into::into),
            protocol: args.protocol.map(Into::into),
            run_script: args.run_script,
            script_args: args.script_args,
            open: args.file,
            save: args.save,
        }),
    }
}

fn run_window(start: StartOptions) -> ExitCode {
    let lang = cli::lang();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("UDP Lab")
        .with_app_id(APP_ID)
        .with_inner_size([1100.0, 700.0])
        .with_min_inner_size([420.0, 360.0]);
    match eframe::icon_data::from_png_bytes(include_bytes!("../assets/icon-256.png")) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => say_error(fill(C::IconNotLoaded.get(lang), &[("reason", &e)]), None),
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        // Settings live under the app id: ~/.local/share/<APP_ID> and the like.
        persistence_path: None,
        ..Default::default()
    };
    let result = eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| Ok(Box::new(UdpLabApp::new(cc, start)))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_error(
                fill(C::NoWindow.get(lang), &[("reason", &e)]),
                Some(C::NoWindowHint.get(lang)),
            );
            ExitCode::FAILURE
        }
    }
}

/// On stderr, which may be closed (eprintln! would panic then).
fn say_error(message: String, hint: Option<&str>) {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "udp-lab: {message}");
    if let Some(hint) = hint {
        let _ = writeln!(err, "{hint}");
    }
}
