//! The command line in the user's language: which language (`--lang`, else
//! the locale), the help built from the table (clap's derive gives only the
//! grammar), and clap's own headings where clap lets them be replaced.
//!
//! Everything clap prints can be replaced this way but the tips clap words
//! itself beyond "use '-- VALUE'" (rare: "'sub --flag' exists").

use std::ffi::OsString;
use std::sync::OnceLock;

use clap::builder::StyledStr;
use clap::{Arg, Command, CommandFactory as _, FromArgMatches as _};

use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::{Lang, fill};

use super::Args;
use super::clap_error;

static LANG: OnceLock<Lang> = OnceLock::new();

/// The CLI's language, chosen once at start ([`choose`]).
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// `--lang en|ru` on the command line, else the locale. Read before clap
/// parses, so clap's help and errors (and the knobs' refusals) are in it.
pub fn choose(args: &[OsString]) -> Lang {
    let lang = lang_flag(args).unwrap_or_else(Lang::from_system);
    let _ = LANG.set(lang);
    lang
}

fn lang_flag(args: &[OsString]) -> Option<Lang> {
    let parse = |v: &str| match v.trim().to_ascii_lowercase().as_str() {
        "en" => Some(Lang::En),
        "ru" => Some(Lang::Ru),
        _ => None,
    };
    let mut found = None;
    let mut in_trace = false;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        match word.as_ref() {
            // Past "--", or past `trace`'s script: the script's own words.
            "--" => break,
            "--lang" => found = words.next().and_then(|v| parse(&v)).or(found),
            w if w.starts_with("--lang=") => found = parse(&w["--lang=".len()..]).or(found),
            "trace" if !in_trace => in_trace = true,
            // `trace --python PATH`: the path is not the script.
            "--python" if in_trace => {
                words.next();
            }
            w if in_trace && !w.starts_with('-') => break,
            _ => {}
        }
    }
    found
}

/// Parses the command line in `lang`; prints help, version or a refusal
/// (in `lang`) and exits as clap does.
pub fn parse(args: Vec<OsString>, lang: Lang) -> Args {
    let mut cmd = command(lang);
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| Args::from_arg_matches(&m).map_err(|e| e.with_cmd(&cmd)));
    match parsed {
        Ok(args) => args,
        Err(e) => clap_error::exit(e, lang),
    }
}

/// The whole grammar with its help in `lang`, built.
pub fn command(lang: Lang) -> Command {
    let cmd = Args::command()
        .about(C::AppAbout.get(lang))
        .long_about(C::AppLongAbout.get(lang));
    let cmd = with_help(cmd, "", lang).mut_subcommands(|sub| {
        let name = sub.get_name().to_owned();
        let about = match name.as_str() {
            "server" => Some(C::ServerAbout),
            "client" => Some(C::ClientAbout),
            "find" => Some(C::FindAbout),
            "trace" => Some(C::TraceAbout),
            "show" => Some(C::ShowAbout),
            _ => None,
        };
        let sub = match about {
            Some(about) => sub.about(about.get(lang)),
            None => sub,
        };
        with_help(sub, &name, lang)
    });
    let mut cmd = cmd;
    cmd.build();
    match lang {
        Lang::En => cmd,
        // What clap adds while building (--help, --version, the `help`
        // command) and the usage line, now that they exist.
        Lang::Ru => clap_words(cmd, lang),
    }
}

/// Each argument's help from the table; in Russian also the headings and
/// the default and possible values clap would print in English.
fn with_help(cmd: Command, sub: &str, lang: Lang) -> Command {
    let mut positionals = 0;
    cmd.mut_args(|arg| {
        let arg = match help_key(sub, arg.get_id().as_str()) {
            Some(key) => arg.help(key.get(lang)),
            None => arg,
        };
        match lang {
            Lang::En => arg,
            // Under a heading of their own clap sorts arguments by display
            // order, then name: positionals keep their order by an explicit one.
            Lang::Ru if arg.is_positional() => {
                positionals += 1;
                spelled_out(arg.display_order(positionals), lang)
            }
            Lang::Ru => spelled_out(arg, lang),
        }
    })
}

/// `[default: 2]` and `[possible values: en, ru]` in the help's language
/// (clap prints them in English only), and the section an argument is in.
fn spelled_out(arg: Arg, lang: Lang) -> Arg {
    let mut extra = Vec::new();
    // A flag's "true"/"false" are not shown, as clap does not show them.
    let takes_value = arg.get_action().takes_values();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_owned())
        .collect();
    if takes_value && !values.is_empty() && !arg.is_hide_possible_values_set() {
        extra.push(fill(
            C::PossibleValues.get(lang),
            &[("values", &values.join(", "))],
        ));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_value && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        extra.push(fill(
            C::DefaultValue.get(lang),
            &[("value", &defaults.join(" "))],
        ));
    }
    let heading = if arg.is_positional() {
        C::ArgumentsHeading
    } else {
        C::OptionsHeading
    };
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let help = std::iter::once(help)
        .chain(extra)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut arg = arg.help(help).help_heading(heading.get(lang));
    let names: Vec<String> = arg
        .get_value_names()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    let id = arg.get_id().to_string();
    let name = match names.as_slice() {
        [one] => Some(one.clone()),
        // clap's own: the id in capitals.
        [] if takes_value => Some(id.to_ascii_uppercase()),
        _ => None,
    };
    if let Some(key) = name.as_deref().and_then(value_name) {
        arg = arg.value_name(key.get(lang));
    }
    // clap allows hiding them only where a value is taken.
    if takes_value {
        arg.hide_default_value(true).hide_possible_values(true)
    } else {
        arg
    }
}

/// After the build: clap's own flags, the `help` command, the usage line
/// and its heading, in every command.
fn clap_words(cmd: Command, lang: Lang) -> Command {
    let is_help_command = cmd.get_name() == "help";
    let mut cmd = cmd.mut_args(|arg| {
        let key = match arg.get_id().as_str() {
            "help" => Some(C::HelpFlag),
            "version" => Some(C::VersionFlag),
            "subcommand" if is_help_command => Some(C::HelpCommandArg),
            _ => None,
        };
        let Some(key) = key else { return arg };
        let more = arg
            .get_help()
            .is_some_and(|h| h.to_string().contains("--help"));
        let arg = if more {
            arg.help(C::HelpFlagMore.get(lang))
                .long_help(C::HelpFlagSummary.get(lang))
        } else {
            arg.help(key.get(lang))
        };
        let heading = if arg.is_positional() {
            C::ArgumentsHeading
        } else {
            C::OptionsHeading
        };
        arg.help_heading(heading.get(lang))
    });
    if is_help_command {
        cmd = cmd.about(C::HelpCommand.get(lang));
    }
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim_start()
        .strip_prefix("Usage:")
        .unwrap_or(&usage)
        .trim()
        .replace("[OPTIONS]", C::OptionsPlaceholder.get(lang))
        .replace("[COMMAND]", C::CommandPlaceholder.get(lang));
    let heading = cmd.get_styles().get_usage().render();
    let reset = cmd.get_styles().get_usage().render_reset();
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{heading}{}{reset} {{usage}}\n\n{{all-args}}{{after-help}}",
        C::UsageHeading.get(lang)
    );
    cmd.override_usage(usage)
        .help_template(StyledStr::from(template))
        .subcommand_help_heading(C::CommandsHeading.get(lang))
        .mut_subcommands(|sub| clap_words(sub, lang))
}

/// The table's word for a value's placeholder (`<ADDR>`, `[MESSAGE]`).
fn value_name(english: &str) -> Option<C> {
    Some(match english {
        "ADDR" => C::ValueAddr,
        "TEXT" => C::ValueText,
        "ENC" => C::ValueEncoding,
        "GROUP" => C::ValueGroup,
        "SECS" => C::ValueSecs,
        "MS" => C::ValueMs,
        "P" => C::ValuePercent,
        "S" => C::ValueSeed,
        "N" => C::ValueCount,
        "PATH" => C::ValuePath,
        "FILE" => C::ValueFile,
        "ARGS" => C::ValueArgs,
        "MESSAGE" => C::ValueMessage,
        "SCRIPT" => C::ValueScript,
        "LANG" => C::ValueLang,
        "VIEW" => C::ValueView,
        "URL" => C::ValueUrl,
        "HEADER" => C::ValueHeader,
        "DIR" => C::ValueDir,
        _ => return None,
    })
}

/// The table's help for one argument of one subcommand ("" for the top).
fn help_key(sub: &str, id: &str) -> Option<C> {
    // The network simulator's knobs, in `server` and `client` alike.
    let sim = match id {
        "loss" => Some(C::HelpLoss),
        "delay" => Some(C::HelpDelay),
        "jitter" => Some(C::HelpJitter),
        "duplicate" => Some(C::HelpDuplicate),
        "reorder" => Some(C::HelpReorder),
        "seed" => Some(C::HelpSeed),
        _ => None,
    };
    let key = match (sub, id) {
        (_, "lang") => C::HelpLang,
        ("", "bind") => C::HelpBind,
        ("", "start_server") => C::HelpStartServer,
        ("", "send") => C::HelpSend,
        ("", "presentation") => C::HelpPresentation,
        ("", "demo_step_by_step") => C::HelpDemoStepByStep,
        ("", "view") => C::HelpView,
        ("", "protocol") => C::HelpProtocol,
        ("", "to") => C::HelpTo,
        ("", "run_script") => C::HelpRunScript,
        ("", "script_args") => C::HelpScriptArgs,
        ("", "save") => C::HelpSaveWindow,
        ("", "file") => C::HelpOpenFile,
        ("server" | "client" | "trace", "save") => C::HelpSave,
        ("show", "file") => C::HelpShowFile,
        ("server" | "client", _) if sim.is_some() => return sim,
        ("server", "bind") => C::HelpServerBind,
        ("server", "reply") => C::HelpReply,
        ("server", "echo") => C::HelpEcho,
        ("server", "no_reply") => C::HelpNoReply,
        ("server", "buffer") => C::HelpServerBuffer,
        ("server", "join") => C::HelpJoin,
        ("server", "interface") => C::HelpInterface,
        ("server", "encoding") => C::HelpServerEncoding,
        ("server", "tcp") => C::HelpTcpServer,
        ("server", "backlog") => C::HelpBacklog,
        ("server", "reuse_addr") => C::HelpReuseAddr,
        ("client", "tcp") => C::HelpTcpClient,
        ("client", "pieces") => C::HelpPieces,
        ("client", "piece_delay") => C::HelpPieceDelay,
        ("client", "shutdown") => C::HelpShutdown,
        ("client", "to") => C::HelpClientTo,
        ("client", "broadcast") => C::HelpBroadcast,
        ("client", "ttl") => C::HelpTtl,
        ("client", "no_multicast_loop") => C::HelpNoMulticastLoop,
        ("client", "encoding") => C::HelpClientEncoding,
        ("client", "timeout") => C::HelpClientTimeout,
        ("client", "buffer") => C::HelpClientBuffer,
        ("client", "count") => C::HelpCount,
        ("client", "interval") => C::HelpInterval,
        ("client", "message") => C::HelpClientMessage,
        ("find", "port") => C::HelpFindPort,
        ("find", "timeout") => C::HelpFindTimeout,
        ("find", "message") => C::HelpFindMessage,
        ("trace", "python") => C::HelpPython,
        ("trace", "script") => C::HelpScript,
        ("trace", "args") => C::HelpScriptArgsTrace,
        // Issue 28: the web server and client.
        ("server", "http") => C::HelpHttpServer,
        ("server", "root") => C::HelpHttpRoot,
        ("client", "url") => C::HelpHttpUrl,
        ("client", "header") => C::HelpHttpHeader,
        _ => return None,
    };
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_lang_flag_is_found_where_clap_would_take_it() {
        let found = |w: &[&str]| lang_flag(&os(w));
        assert_eq!(
            found(&["udp-lab", "--lang", "ru", "client"]),
            Some(Lang::Ru)
        );
        assert_eq!(found(&["udp-lab", "client", "--lang=ru"]), Some(Lang::Ru));
        assert_eq!(
            found(&["udp-lab", "client", "--lang", "en"]),
            Some(Lang::En)
        );
        assert_eq!(found(&["udp-lab", "client", "--lang", "de"]), None);
        // The script's own arguments are the script's.
        assert_eq!(found(&["udp-lab", "trace", "s.py", "--lang", "ru"]), None);
        assert_eq!(
            found(&["udp-lab", "trace", "--python", "py", "--lang", "ru", "s.py"]),
            Some(Lang::Ru)
        );
        assert_eq!(found(&["udp-lab", "client", "--", "--lang", "ru"]), None);
    }

    /// Every argument a person can give has help in both languages, and the
    /// Russian help is not the English one.
    #[test]
    fn every_argument_has_help_in_both_languages() {
        fn walk(en: &Command, ru: &Command, path: &str) {
            for (a, b) in en.get_arguments().zip(ru.get_arguments()) {
                assert_eq!(a.get_id(), b.get_id(), "{path}");
                let help = |arg: &Arg| arg.get_help().map(ToString::to_string);
                let (Some(h_en), Some(h_ru)) = (help(a), help(b)) else {
                    panic!("{path} {}: no help", a.get_id());
                };
                assert_ne!(h_en, h_ru, "{path} {}", a.get_id());
            }
            for (a, b) in en.get_subcommands().zip(ru.get_subcommands()) {
                let name = format!("{path} {}", a.get_name());
                assert!(a.get_about().is_some(), "{name}");
                assert_ne!(
                    a.get_about().map(ToString::to_string),
                    b.get_about().map(ToString::to_string),
                    "{name}"
                );
                walk(a, b, &name);
            }
        }
        walk(&command(Lang::En), &command(Lang::Ru), "udp-lab");
    }

    #[test]
    fn russian_help_has_russian_headings() {
        let help = command(Lang::Ru)
            .find_subcommand_mut("client")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        for needle in [
            "Использование: udp-lab client [ПАРАМЕТРЫ] [СООБЩЕНИЕ]",
            "--timeout <СЕК>",
            "Параметры:",
            "Аргументы:",
            "[по умолчанию: 2]",
            "Показать справку",
            "Сколько секунд ждать ответа",
        ] {
            assert!(help.contains(needle), "{needle}: {help}");
        }
        for english in ["Usage:", "Options:", "[default:", "Print help"] {
            assert!(!help.contains(english), "{english}: {help}");
        }
        // The positionals in their order (the script, then its arguments).
        let trace = command(Lang::Ru)
            .find_subcommand_mut("trace")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        let at = |s: &str| trace.find(s).unwrap_or_else(|| panic!("{s}: {trace}"));
        assert!(at("  <СКРИПТ>") < at("  [АРГУМЕНТЫ]..."), "{trace}");
    }
}
