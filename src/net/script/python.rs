//! Which Python runs a traced script: the user's choice, or one found on
//! PATH (`py -3` first on Windows).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::ScriptError;

/// A Python to run: the program and what goes before the script's
/// arguments (`py -3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    pub program: PathBuf,
    pub pre_args: Vec<String>,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let exe = if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    };
    std::env::split_paths(&path)
        .map(|dir| dir.join(&exe))
        .find(|p| p.is_file() && runs(p, &[]))
}

/// Whether `program` starts as a Python (a shim may exist without one).
fn runs(program: &Path, pre_args: &[&str]) -> bool {
    Command::new(program)
        .args(pre_args)
        .args(["-c", "import sys"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The user's choice when given; else `python3`, `python`, or on Windows
/// `py -3`, found on PATH.
pub fn find_python(explicit: Option<&Path>) -> Result<Interpreter, ScriptError> {
    if let Some(path) = explicit {
        return match Command::new(path)
            .args(["-c", "import sys"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
        {
            Ok(s) if s.success() => Ok(Interpreter {
                program: path.to_owned(),
                pre_args: Vec::new(),
            }),
            Ok(s) => Err(ScriptError::Interpreter {
                path: path.to_owned(),
                message: format!("it ended with {s}"),
            }),
            Err(e) => Err(ScriptError::Interpreter {
                path: path.to_owned(),
                message: e.to_string(),
            }),
        };
    }
    if cfg!(windows)
        && let Some(py) = on_path("py")
        && runs(&py, &["-3"])
    {
        return Ok(Interpreter {
            program: py,
            pre_args: vec!["-3".into()],
        });
    }
    ["python3", "python"]
        .iter()
        .find_map(|name| on_path(name))
        .map(|program| Interpreter {
            program,
            pre_args: Vec::new(),
        })
        .ok_or(ScriptError::PythonNotFound)
}
