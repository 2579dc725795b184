//! The script's process: set up before it starts, Ctrl-C and kill for
//! Stop, and its exit status. Unix signals here; a Windows branch sits
//! beside them under cfg(windows).

#[cfg(not(target_os = "linux"))]
use std::process::Stdio;
use std::process::{Command, ExitStatus};
use std::sync::atomic::Ordering;

use super::Shared;

/// In the child before Python starts: the signals the CLI blocks for its
/// own handling are unblocked (a blocked mask is inherited through exec,
/// and the script would ignore Ctrl-C and SIGTERM), and the script is
/// killed if UDP Lab dies without stopping it (the thread that spawned it
/// ends: UDP Lab's main thread, in the window and the CLI), so no orphan
/// is left waiting in recvfrom forever.
#[cfg(target_os = "linux")]
pub(super) fn linux_child_setup(command: &mut Command) {
    let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    // unsafe: pre_exec runs between fork and exec, and the calls below
    // have no std wrapper.
    #[allow(unsafe_code)]
    // SAFETY: the closure only makes async-signal-safe calls (sigemptyset,
    // pthread_sigmask, prctl, getppid) on values it owns.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(command, move || {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // UDP Lab died before prctl took effect: do not start at all.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("UDP Lab has ended"));
            }
            Ok(())
        });
    }
}

/// Sends Ctrl-C (SIGINT) to the script's process group, as a terminal
/// does to `python script.py`: Python raises KeyboardInterrupt where the
/// script is and prints it. False when it could not be sent (then the
/// script is killed at once).
pub(super) fn interrupt_group(shared: &Shared) -> bool {
    let child = shared.child();
    if shared.reaped.load(Ordering::Acquire) {
        return true;
    }
    // libc is a dependency on Linux only; other Unixes ask kill(1).
    #[cfg(target_os = "linux")]
    {
        let Ok(pgid) = libc::pid_t::try_from(child.id()) else {
            return false;
        };
        // unsafe: killpg has no std wrapper.
        // SAFETY: a plain syscall on a process group we created and have
        // not reaped (the lock keeps the collector from reaping).
        #[allow(unsafe_code)]
        let sent = unsafe { libc::killpg(pgid, libc::SIGINT) } == 0;
        sent
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        Command::new("kill")
            .args(["-INT", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
    // Ctrl-Break to its own process group (Python's default for it ends
    // the process); false without a console to send it through.
    #[cfg(windows)]
    {
        super::windows::ctrl_break(child.id())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = child;
        false
    }
}

/// Kills the script's process group (Unix) or process tree (Windows),
/// unless it was already waited for (its pid may be reused).
pub(super) fn kill_group(shared: &Shared) {
    let mut child = shared.child();
    if shared.reaped.load(Ordering::Acquire) {
        return;
    }
    // libc is a dependency on Linux only; other Unixes ask kill(1).
    #[cfg(target_os = "linux")]
    {
        if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
            // unsafe: killpg has no std wrapper.
            // SAFETY: a plain syscall on a process group we created and
            // have not reaped (the lock keeps the collector from reaping).
            #[allow(unsafe_code)]
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    // The job ends the whole tree; taskkill when there is no job.
    #[cfg(windows)]
    if !shared
        .job
        .as_ref()
        .is_some_and(super::windows::Job::terminate)
    {
        let _ = Command::new("taskkill")
            .args(["/T", "/F", "/PID", &child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

/// Exit code and signal of an ended process.
pub(in crate::net) fn exit_parts(status: ExitStatus) -> (Option<i32>, Option<i32>) {
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    (status.code(), signal)
}
