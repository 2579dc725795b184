//! A traced script's datagrams in the session: each send and receive of
//! its UDP sockets becomes a datagram record, joined with the other end's.

use super::*;

impl Session {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn script_sent(
        &mut self,
        run: ScriptId,
        sock: u32,
        at: SystemTime,
        to: SocketAddr,
        res: &CallResult,
        call: &TracedCall,
        plays: Side,
    ) {
        if let Some(local) = addr_of(res.local.as_ref()) {
            self.scripts.socket(run, sock).local = Some(local);
        }
        let local = self
            .scripts
            .socket(run, sock)
            .local
            .unwrap_or_else(unspecified);
        let data = call.args.data.as_ref();
        let bytes: Arc<[u8]> = data
            .and_then(|d| d.bytes.as_deref())
            .unwrap_or_default()
            .into();
        let len = res
            .sent
            .and_then(|n| usize::try_from(n).ok())
            .or(data.map(|d| d.len))
            .unwrap_or(bytes.len());
        let direction = match plays {
            Side::Server => Direction::Reply,
            _ => Direction::Request,
        };
        let id = self.sent(DatagramRecord {
            id: 0,
            direction,
            from: concrete(local, to.ip()),
            to,
            bytes,
            len,
            truncated: None,
            sent_at: Some(at),
            received_at: None,
            client: None,
            gave_up_at: None,
            sim: SimFate::default(),
            sender_script: Some(run),
            receiver_script: None,
            captured: None,
        });
        self.pending_script = Some(ScriptCall {
            sock,
            site: self.scripts.site(call),
            plays: Some(plays),
        });
        let row = Call::SendTo {
            len,
            to,
            sim: SimFate::default(),
        };
        self.trace(at, Side::Script(run), u64::from(sock), row, Some(id));
    }

    pub(super) fn script_received(
        &mut self,
        run: ScriptId,
        sock: u32,
        at: SystemTime,
        res: &CallResult,
        buffer: usize,
        s: &ScriptSocket,
    ) {
        let Some(from) = addr_of(res.from.as_ref()).or(s.peer) else {
            self.pending_script = None;
            return;
        };
        let bytes: Arc<[u8]> = res
            .data
            .as_ref()
            .and_then(|d| d.bytes.as_deref())
            .unwrap_or_default()
            .into();
        let read = res.data.as_ref().map_or(bytes.len(), |d| d.len);
        let len = res
            .real_len
            .and_then(|n| usize::try_from(n).ok())
            .map_or(read, |real| real.max(read));
        let rx = Received {
            from,
            bytes,
            len,
            truncated: len > read,
            buffer,
            at,
        };
        // A socket that only receives is a server's (it must be bound).
        let direction = match s.plays {
            Some(Side::Client) => Direction::Reply,
            _ => Direction::Request,
        };
        let local = concrete(s.local.unwrap_or_else(unspecified), from.ip());
        self.received(
            &rx,
            local,
            direction,
            None,
            Side::Script(run),
            u64::from(sock),
        );
    }
}
