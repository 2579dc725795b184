//! Every string the window shows, in English and Russian. The macro makes a
//! missing translation a compile error; `fill` puts values into `{name}`
//! placeholders. The CLI stays in English (it prints the lab's own lines).

use serde::{Deserialize, Serialize};

use crate::net::{AddrError, NetError, fmt_secs};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The first default: the system locale (LANG=ru_RU.UTF-8 → Russian).
    pub fn from_system() -> Self {
        Self::from_locale(sys_locale::get_locale().as_deref().unwrap_or("en"))
    }

    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }
}

macro_rules! texts {
    ($($key:ident => $en:expr, $ru:expr;)*) => {
        /// A user-visible string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($key,)* }

        impl T {
            pub const ALL: &'static [T] = &[$(T::$key,)*];

            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((T::$key, Lang::En) => $en, (T::$key, Lang::Ru) => $ru,)*
                }
            }
        }
    };
}

texts! {
    AppTitle => "UDP Lab", "UDP Lab";
    Language => "Language", "Язык";
    Server => "Server", "Сервер";
    Client => "Client", "Клиент";
    BindAddress => "Bind address", "Адрес привязки";
    Start => "Start", "Запустить";
    Stop => "Stop", "Остановить";
    Starting => "Starting…", "Запуск…";
    Stopping => "Stopping…", "Остановка…";
    Stopped => "Stopped", "Остановлен";
    ListeningOn => "Listening on {ip} port {port}", "Слушает {ip}, порт {port}";
    Reply => "Reply", "Ответ";
    ReplyFixed => "Fixed text", "Текст";
    ReplyEcho => "Echo", "Эхо";
    ReplyNone => "No reply", "Без ответа";
    ReplyText => "Reply text", "Текст ответа";
    BufferSize => "Receive buffer", "Буфер приёма";
    Bytes => "bytes", "байт";
    Incoming => "Incoming datagrams", "Входящие датаграммы";
    ColTime => "Time", "Время";
    ColFrom => "From", "Откуда";
    ColLength => "Length", "Длина";
    ColText => "Text", "Текст";
    ColReply => "Reply", "Ответ";
    Clear => "Clear", "Очистить";
    ReceivedTotal => "{total} received", "Получено: {total}";
    RowsDropped => "{count} older rows not kept", "Старых строк не сохранено: {count}";
    EventsDropped => "{count} events not shown (the window could not keep up)", "Событий не показано: {count} (окно не успевало)";
    NoDatagramsYet => "No datagrams yet. Press Start, then Send in the client panel.", "Датаграмм пока нет. Нажмите «Запустить», затем «Отправить» в панели клиента.";
    Truncated => "read {read} of {len} bytes — the rest is discarded by the kernel", "прочитано {read} из {len} байт — остаток отброшен ядром";
    TruncatedShort => "truncated", "обрезано";
    Target => "Server address", "Адрес сервера";
    Message => "Message", "Сообщение";
    Send => "Send", "Отправить";
    Sending => "Waiting for the answer…", "Ожидание ответа…";
    Timeout => "Timeout", "Тайм-аут";
    Seconds => "s", "с";
    ResponseFromServer => "Response from server: {text}", "Ответ сервера: {text}";
    ResponseDetails => "from {from} in {rtt}", "от {from} за {rtt}";
    History => "History", "История";
    NoExchangesYet => "No exchanges yet.", "Обменов пока не было.";
    HistoryTimedOut => "no answer", "нет ответа";
    HexView => "Hex", "Hex";
    NotUtf8 => "not UTF-8", "не UTF-8";
    Sent => "sent", "отправлено";
    NotAnswered => "not answered", "без ответа";
    RateLimited => "rate-limited", "ограничено";
    Theme => "Theme", "Тема";
    ViewTrace => "Socket calls", "Вызовы сокетов";
    ViewDiagram => "Sequence diagram", "Диаграмма последовательности";
    ViewAnatomy => "Datagram anatomy", "Анатомия датаграммы";
    ThemeSystem => "System", "Системная";
    ThemeLight => "Light", "Светлая";
    ThemeDark => "Dark", "Тёмная";
    Burst => "Burst", "Серия";
    Interval => "every", "интервал";
    Milliseconds => "ms", "мс";
    Cancel => "Cancel", "Отменить";
    SendBurst => "Send {count}", "Отправить {count}";
    NewSocketEachSend => "New socket for each Send", "Новый сокет для каждой отправки";
    NewSocketEachSendHint => "On: every Send comes from a new source port, like the lab's client. Off: one socket (one port) is reused.", "Вкл.: каждая отправка идёт с нового порта, как у клиента из лабораторной. Выкл.: используется один сокет (один порт).";
    BurstSummary => "{sent} of {requested} sent, {answered} answered, {lost} lost ({percent}%)", "Отправлено {sent} из {requested}, ответов {answered}, потеряно {lost} ({percent}%)";
    DroppedBySimulatorCount => "{count} dropped by the simulator", "{count} отброшено симулятором";
    RttPlotTitle => "RTT per datagram (ms); × no answer", "RTT каждой датаграммы (мс); × нет ответа";
    RatePlotTitle => "Answers per second", "Ответов в секунду";
    FilterAll => "All", "Все";
    ZoomIn => "Zoom in (more room per millisecond)", "Крупнее (больше места на миллисекунду)";
    ZoomOut => "Zoom out", "Мельче";
    DiagramScale => "1 px = {ms} ms", "1 пикс. = {ms} мс";
    DiagramHint => "Click an arrow to see the datagram's anatomy.", "Щёлкните стрелку, чтобы увидеть анатомию датаграммы.";
    DiagramHidden => "{count} datagrams of older clients not drawn", "Датаграмм старых клиентов не показано: {count}";
    DiagramEmpty => "No datagrams yet. Each one will appear here as an arrow between the client's and the server's lifelines.", "Датаграмм пока нет. Каждая появится здесь стрелкой между линиями жизни клиента и сервера.";
    DiagramLabel => "{len} B \"{text}\"", "{len} Б «{text}»";
    DiagramNoReply => "no reply", "ответа нет";
    FilterServer => "Server calls", "Сервер";
    FilterClient => "Client calls", "Клиент";
    TraceCount => "{count} calls", "Вызовов: {count}";
    TraceEmpty => "No socket calls yet. Start the server or send a message: every call appears here as it happens.", "Вызовов пока нет. Запустите сервер или отправьте сообщение: каждый вызов появится здесь сразу.";
    Step => "step {n}", "шаг {n}";
    TraceBytesFrom => "{n} bytes from {addr}", "{n} байт от {addr}";
    TraceBytesTo => "{n} bytes → {addr}", "{n} байт → {addr}";
    TraceTimedOut => "no datagram within {secs}", "нет датаграммы за {secs}";
    TraceError => "error: {message}", "ошибка: {message}";
    TraceRateLimited => "no sendto to {addr}: the reply rate limit held it back", "sendto к {addr} не выполнен: сработало ограничение частоты ответов";
    SimDropped => "dropped by the simulator", "отброшено симулятором";
    SimDelayed => "delayed {ms} ms by the simulator", "задержано симулятором на {ms} мс";
    SimDuplicated => "duplicated by the simulator", "продублировано симулятором";
    SimReordered => "reordered by the simulator", "переставлено симулятором";
    StepSocket => "Create the socket: socket(AF_INET, SOCK_DGRAM) gives a UDP socket (AF_INET6 for IPv6).", "Создание сокета: socket(AF_INET, SOCK_DGRAM) даёт UDP-сокет (AF_INET6 для IPv6).";
    StepBind => "Bind the socket to the address and port clients will send to.", "Привязка сокета к адресу и порту, на которые будут слать клиенты.";
    StepServerRecv => "recvfrom(1024) waits for a datagram and returns its bytes (at most the buffer) and the sender's address.", "recvfrom(1024) ждёт датаграмму и возвращает её байты (не больше буфера) и адрес отправителя.";
    StepServerSend => "sendto sends the answer to the address recvfrom returned: no connection is needed.", "sendto отправляет ответ по адресу, который вернул recvfrom: соединение не нужно.";
    StepClientSend => "sendto sends the message to the server; the OS picks a free source port.", "sendto отправляет сообщение серверу; ОС выбирает свободный порт отправителя.";
    StepClientRecv => "recvfrom(1024) waits for the answer, or gives up after the timeout.", "recvfrom(1024) ждёт ответ или сдаётся по тайм-ауту.";
    StepClose => "close() releases the socket and its port.", "close() освобождает сокет и его порт.";
    ErrEmpty => "Enter an address such as 127.0.0.1:12345", "Введите адрес, например 127.0.0.1:12345";
    ErrTooLong => "The address is too long", "Адрес слишком длинный";
    ErrMissingPort => "Add a port after a colon, for example 127.0.0.1:12345", "Добавьте порт через двоеточие, например 127.0.0.1:12345";
    ErrMissingHost => "Add a host before the port, for example 127.0.0.1:12345", "Добавьте адрес перед портом, например 127.0.0.1:12345";
    ErrPortNotNumber => "\"{port}\" is not a port number (0–65535)", "«{port}» — не номер порта (0–65535)";
    ErrPortOutOfRange => "Port {port} is out of range: ports go from 0 to 65535", "Порт {port} вне диапазона: порты от 0 до 65535";
    ErrPortZeroTarget => "Port 0 means \"any free port\": choose the port to send to", "Порт 0 означает «любой свободный»: укажите порт получателя";
    ErrBadIpv4 => "{host} is not an IPv4 address (each part is 0–255)", "{host} — не IPv4-адрес (каждая часть от 0 до 255)";
    ErrBadIpv6 => "{host} is not an IPv6 address", "{host} — не IPv6-адрес";
    ErrIpv6Brackets => "Put an IPv6 address in brackets, for example [::1]:12345", "Заключите IPv6-адрес в скобки, например [::1]:12345";
    ErrBadHostName => "\"{host}\" is not a valid host name", "«{host}» — недопустимое имя хоста";
    ErrResolve => "Cannot find the host \"{host}\"", "Хост «{host}» не найден";
    ErrAddrInUse => "Port {port} is already in use", "Порт {port} уже занят";
    ErrPrivileged => "Port {port} needs administrator rights (ports below 1024 are privileged)", "Порт {port} требует прав администратора (порты ниже 1024 привилегированные)";
    ErrPermission => "Not allowed to use {addr}", "Нет прав на использование {addr}";
    ErrAddrNotAvailable => "This computer has no address {ip}", "У этого компьютера нет адреса {ip}";
    ErrUnreachable => "Nothing is listening at {addr} (ICMP port unreachable)", "По адресу {addr} никто не слушает (ICMP: порт недоступен)";
    ErrTimedOut => "No server answered within {secs}", "Сервер не ответил за {secs}";
    ErrTooLongDatagram => "The message is too long for one UDP datagram (at most 65507 bytes)", "Сообщение слишком длинное для одной UDP-датаграммы (не больше 65507 байт)";
    ErrIo => "{call} failed: {message}", "Ошибка {call}: {message}";
}

/// Replaces `{name}` placeholders in a translated template.
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

pub fn addr_error(lang: Lang, e: &AddrError) -> String {
    let t = |k: T| k.get(lang);
    match e {
        AddrError::Empty => t(T::ErrEmpty).into(),
        AddrError::TooLong => t(T::ErrTooLong).into(),
        AddrError::MissingPort => t(T::ErrMissingPort).into(),
        AddrError::MissingHost => t(T::ErrMissingHost).into(),
        AddrError::PortNotNumber(p) => fill(t(T::ErrPortNotNumber), &[("port", p)]),
        AddrError::PortOutOfRange(p) => fill(t(T::ErrPortOutOfRange), &[("port", p)]),
        AddrError::PortZeroTarget => t(T::ErrPortZeroTarget).into(),
        AddrError::BadIpv4(h) => fill(t(T::ErrBadIpv4), &[("host", h)]),
        AddrError::BadIpv6(h) => fill(t(T::ErrBadIpv6), &[("host", h)]),
        AddrError::Ipv6NeedsBrackets => t(T::ErrIpv6Brackets).into(),
        AddrError::BadHostName(h) => fill(t(T::ErrBadHostName), &[("host", &shorten(h, 40))]),
    }
}

pub fn net_error(lang: Lang, e: &NetError) -> String {
    let t = |k: T| k.get(lang);
    match e {
        NetError::Addr(a) => addr_error(lang, a),
        NetError::Resolve { host } => fill(t(T::ErrResolve), &[("host", &shorten(host, 40))]),
        NetError::AddrInUse { addr } => fill(t(T::ErrAddrInUse), &[("port", &addr.port())]),
        NetError::PermissionDenied { addr } if addr.port() != 0 && addr.port() < 1024 => {
            fill(t(T::ErrPrivileged), &[("port", &addr.port())])
        }
        NetError::PermissionDenied { addr } => fill(t(T::ErrPermission), &[("addr", addr)]),
        NetError::AddrNotAvailable { addr } => {
            fill(t(T::ErrAddrNotAvailable), &[("ip", &addr.ip())])
        }
        NetError::Unreachable { addr } => fill(t(T::ErrUnreachable), &[("addr", addr)]),
        NetError::TimedOut { after } => fill(t(T::ErrTimedOut), &[("secs", &secs(lang, *after))]),
        NetError::TooLong { .. } => t(T::ErrTooLongDatagram).into(),
        NetError::Io { call, message } => {
            fill(t(T::ErrIo), &[("call", call), ("message", message)])
        }
    }
}

/// "2 s" / "2 с".
pub fn secs(lang: Lang, d: std::time::Duration) -> String {
    let en = fmt_secs(d);
    match lang {
        Lang::En => en,
        Lang::Ru => en.replace(" s", " с").replace('.', ","),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages() {
        for key in T::ALL {
            for lang in Lang::ALL {
                assert!(
                    !key.get(lang).trim().is_empty(),
                    "{key:?} is empty in {lang:?}"
                );
            }
            // Placeholders must match, or a value silently goes missing.
            let names = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}'))
                    .map(|(n, _)| n.to_owned())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(
                names(key.get(Lang::En)),
                names(key.get(Lang::Ru)),
                "{key:?}"
            );
        }
    }

    #[test]
    fn english_errors_match_the_net_layer_wording() {
        let a: std::net::SocketAddr = "127.0.0.1:9".parse().expect("literal");
        for e in [
            NetError::Unreachable { addr: a },
            NetError::AddrInUse { addr: a },
            NetError::TimedOut {
                after: std::time::Duration::from_secs(2),
            },
            NetError::Addr(AddrError::PortOutOfRange("99999".into())),
        ] {
            assert_eq!(net_error(Lang::En, &e), e.to_string());
        }
    }

    #[test]
    fn locale_picks_the_language() {
        assert_eq!(Lang::from_locale("ru_RU.UTF-8"), Lang::Ru);
        assert_eq!(Lang::from_locale("ru-RU"), Lang::Ru);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("de"), Lang::En);
    }
}
