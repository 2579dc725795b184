//! The script's process on Windows: a Job object that ends it and
//! everything it started (also when UDP Lab itself is killed: the last
//! handle to the job closes with it), and Ctrl-Break to its own process
//! group, Windows' nearest to a terminal's Ctrl-C.

use std::os::windows::io::AsRawHandle as _;
use std::os::windows::process::CommandExt as _;
use std::process::{Child, Command};

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, GenerateConsoleCtrlEvent};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::CREATE_NEW_PROCESS_GROUP;

/// Exit code of a script ended through its job (what `taskkill /F` gives).
pub(super) const KILLED_EXIT_CODE: u32 = 1;

/// Its own process group: Ctrl-Break reaches the script and what it
/// started, not UDP Lab.
pub(super) fn windows_child_setup(command: &mut Command) {
    command.creation_flags(CREATE_NEW_PROCESS_GROUP);
}

/// A Job object that kills every process in it when its last handle
/// closes. Not inheritable (no security attributes): only UDP Lab holds it.
pub(in crate::net) struct Job(HANDLE);

// The handle is a kernel object usable from any thread.
// SAFETY: HANDLE is a plain value; the job is only used through calls
// that are safe from any thread.
#[allow(unsafe_code)]
unsafe impl Send for Job {}
#[allow(unsafe_code)]
// SAFETY: as above.
unsafe impl Sync for Job {}

impl Job {
    /// A new job with kill-on-close, `child` in it. None when Windows
    /// refused (then Stop falls back to `taskkill /T`).
    pub(in crate::net) fn containing(child: &Child) -> Option<Self> {
        // unsafe: Job objects have no std wrapper.
        // SAFETY: null attributes and name are allowed; the handle is
        // owned by the returned Job (closed on drop, also on failure).
        #[allow(unsafe_code)]
        unsafe {
            let handle = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if handle.is_null() {
                return None;
            }
            let job = Self(handle);
            let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let size = u32::try_from(size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>()).ok()?;
            if SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                (&raw const limits).cast(),
                size,
            ) == 0
            {
                return None;
            }
            if AssignProcessToJobObject(job.0, child.as_raw_handle()) == 0 {
                return None;
            }
            Some(job)
        }
    }

    /// Ends every process in the job now. False when Windows refused.
    pub(in crate::net) fn terminate(&self) -> bool {
        // unsafe: no std wrapper.
        // SAFETY: a valid job handle owned by self.
        #[allow(unsafe_code)]
        let done = unsafe { TerminateJobObject(self.0, KILLED_EXIT_CODE) } != 0;
        done
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // unsafe: no std wrapper.
        // SAFETY: the handle is ours and closed once.
        #[allow(unsafe_code)]
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// Ctrl-Break to the process group `pid` leads (the script, started with
/// CREATE_NEW_PROCESS_GROUP). Windows delivers it only to processes on
/// UDP Lab's own console: false without one (the window), and the script
/// is killed instead.
pub(super) fn ctrl_break(pid: u32) -> bool {
    // unsafe: no std wrapper.
    // SAFETY: a plain call with plain values.
    #[allow(unsafe_code)]
    let sent = unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, pid) } != 0;
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;

    /// A process tree (cmd.exe starting ping.exe, which would run for a
    /// minute) in a job: terminating the job ends cmd.exe with the job's
    /// exit code, not its own.
    #[test]
    fn a_job_ends_the_script_and_its_children() {
        let mut command = Command::new("cmd.exe");
        command
            .args(["/c", "ping -n 60 127.0.0.1 >NUL"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        windows_child_setup(&mut command);
        let mut child = command.spawn().expect("cmd.exe starts");
        let job = Job::containing(&child).expect("a job with kill-on-close");
        assert!(job.terminate());
        let status = child.wait().expect("cmd.exe is waited for");
        assert_eq!(
            status.code(),
            Some(i32::try_from(KILLED_EXIT_CODE).expect("small"))
        );
    }

    /// Dropping the job (UDP Lab ending) kills what is in it: cmd.exe
    /// never reaches its own `exit 7`.
    #[test]
    fn closing_the_job_kills_what_is_in_it() {
        let mut child = Command::new("cmd.exe")
            .args(["/c", "ping -n 60 127.0.0.1 >NUL & exit 7"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cmd.exe starts");
        let job = Job::containing(&child).expect("a job with kill-on-close");
        drop(job);
        let status = child.wait().expect("cmd.exe is waited for");
        assert_ne!(status.code(), Some(7), "{status}");
    }

    /// A script path with Cyrillic letters and spaces reaches the child
    /// whole (std quotes it, the command line is UTF-16): cmd's `type`
    /// finds the file and prints it.
    #[test]
    fn a_cyrillic_path_with_spaces_reaches_the_child() {
        let dir = std::env::temp_dir().join(format!("udp-lab Лаб {}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        let script = dir.join("мой сервер.py");
        std::fs::write(&script, "print('Hello, server')\r\n").expect("script written");
        let out = Command::new("cmd.exe")
            .arg("/c")
            .arg("type")
            .arg(&script)
            .output()
            .expect("cmd.exe runs");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("print('Hello, server')"), "{text:?} {out:?}");
    }
}
