//! Every string the window shows, in English and Russian. The macro makes a
//! missing translation a compile error; `fill` puts values into `{name}`
//! placeholders. The CLI speaks the same language (`--lang`, else the
//! locale); its own strings are in [`cli`], and only the lab's printed lines
//! ("Server is listening on …") stay as the handout prints them.

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
        texts! { enum T; $($key => $en, $ru;)* }
    };
    // A second table (the CLI's, i18n/cli.rs) names its own enum.
    (enum $name:ident; $($key:ident => $en:expr, $ru:expr;)*) => {
        /// A user-visible string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($key,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$key,)*];

            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$key, Lang::En) => $en, ($name::$key, Lang::Ru) => $ru,)*
                }
            }
        }
    };
}

pub mod cli;
pub mod http;
mod tcp;
pub use tcp::{tcp_call_text, tcp_step_hint};

texts! {
    AppTitle => "UDP Lab", "UDP Lab";
    // App notices (issue 23)
    IncomingCleared => "The incoming list was cleared ({count} rows).", "Список входящих очищен (строк: {count}).";
    Undo => "Undo", "Отменить";
    UndoHint => "Brings the rows back (Ctrl+Z), for 10 seconds after Clear", "Возвращает строки (Ctrl+Z), 10 секунд после очистки";
    SettingsFieldReset => "The settings file had an unreadable field ({field}); it was reset.", "В файле настроек было нечитаемое поле ({field}); оно сброшено.";
    SettingsFieldsReset => "The settings file had unreadable fields ({fields}); they were reset.", "В файле настроек были нечитаемые поля ({fields}); они сброшены.";
    SettingsCutShort => "The settings file ends in the middle: {read} of {all} settings were read and kept, the rest were reset.", "Файл настроек обрывается на середине: прочитано и сохранено настроек — {read} из {all}, остальные сброшены.";
    SettingsUnreadable => "The settings file could not be read; every setting was reset.", "Файл настроек не удалось прочитать; все настройки сброшены.";
    SettingsFileDamaged => "The settings file was damaged; every setting in it was read and kept.", "Файл настроек был повреждён; все настройки из него прочитаны и сохранены.";
    SettingsKeptAs => "The file as it was is kept as {path}", "Файл в прежнем виде сохранён как {path}";
    SettingsNotKept => "A copy of the file as it was could not be kept: {reason}", "Не удалось сохранить копию файла в прежнем виде: {reason}";
    RevealNoBus => "there is no desktop session bus (D-Bus) to ask a file manager", "нет сеансовой шины рабочего стола (D-Bus), через которую можно попросить файловый менеджер";
    RevealNoService => "no file manager answers on the desktop bus (D-Bus)", "ни один файловый менеджер не отвечает на шине рабочего стола (D-Bus)";
    RevealNoXdgOpen => "xdg-open is not installed (package xdg-utils)", "xdg-open не установлен (пакет xdg-utils)";
    RevealXdgOpenFailed => "xdg-open found no program to open folders with ({message})", "xdg-open не нашёл программу, чтобы открыть папку ({message})";
    RevealAnd => "{first}, and {second}", "{first}, а {second}";
    // Layout and help (issue 24)
    LayoutMore => "More ▾", "Ещё ▾";
    LayoutMoreHint => "Every setting and list of both panels (the view gets less room until you fold them again)", "Все настройки и списки обеих панелей (виду останется меньше места, пока их снова не свернуть)";
    LayoutFewer => "▴ Fold the panels", "▴ Свернуть панели";
    LayoutDividerName => "Divider between the panels and the view", "Граница между панелями и видом";
    LayoutDividerHint => "Drag to give the view or the panels more room; double-click for the default split", "Перетащите, чтобы дать больше места виду или панелям; двойной щелчок — как по умолчанию";
    FocusName => "The view in the whole window (F)", "Вид во всё окно (F)";
    FocusLeave => "Panels back (F or Esc)", "Вернуть панели (F или Esc)";
    FocusNoAnswer => "no answer yet", "ответа ещё нет";
    HelpName => "Help (F1)", "Справка (F1)";
    HelpTitle => "Help", "Справка";
    HelpKeysTitle => "Keys (when no text field is being edited)", "Клавиши (когда не редактируется поле ввода)";
    HelpKeySpace => "Space — pause, or play the recorded calls", "Пробел — пауза или воспроизведение записанных вызовов";
    HelpKeyArrows => "← → — one call back or forward; Shift+← → — one datagram", "← → — на вызов назад или вперёд; Shift+← → — на датаграмму";
    HelpKeyHomeEnd => "Home — to the first call; End — back to live", "Home — к первому вызову; End — снова вживую";
    HelpKeyFocus => "F — the view in the whole window; F or Esc — the panels back", "F — вид во всё окно; F или Esc — вернуть панели";
    HelpKeyEnter => "Enter — Send (in the message field, or in the whole-window view)", "Enter — «Отправить» (в поле сообщения или когда вид во всё окно)";
    HelpKeyScreenshot => "Ctrl+Shift+S — a screenshot of the window", "Ctrl+Shift+S — снимок окна";
    HelpKeyZoom => "Ctrl + / Ctrl − — larger / smaller; Ctrl 0 — the usual size", "Ctrl + / Ctrl − — крупнее / мельче; Ctrl 0 — обычный размер";
    HelpKeyHelp => "F1 — this help", "F1 — эта справка";
    HelpViewsTitle => "The views", "Виды";
    HelpViewTrace => "every socket call of both sides in order, with the handout's step", "каждый вызов сокета обеих сторон по порядку, с пунктом методички";
    HelpViewDiagram => "a lifeline per socket and an arrow per datagram; ✗ is a datagram that was lost", "линия жизни на каждый сокет и стрелка на каждую датаграмму; ✗ — потерянная датаграмма";
    HelpViewAnatomy => "the UDP header's four fields and the data's bytes of one datagram", "четыре поля заголовка UDP и байты данных одной датаграммы";
    HelpViewCode => "the lab's server.py and client.py with this window's values; the running line lights up", "server.py и client.py из лабораторной со значениями из этого окна; выполняемая строка подсвечивается";
    HelpStepsTitle => "The lab, as the handout does it", "Лабораторная, как в методичке";
    HelpStep1 => "Start the server: socket(), bind() to 127.0.0.1 port 12345, then recvfrom(1024) waits (server steps 4–7).", "Запустите сервер: socket(), bind() на 127.0.0.1, порт 12345, затем recvfrom(1024) ждёт (пункты 4–7 сервера).";
    HelpStep2 => "Send \"Hello, server\" from the client: socket(), sendto() (client steps 5–6).", "Отправьте «Hello, server» из клиента: socket(), sendto() (пункты 5–6 клиента).";
    HelpStep3 => "The server prints the message and answers \"Hello, client\" with sendto() (server steps 8–10).", "Сервер печатает сообщение и отвечает «Hello, client» через sendto() (пункты 8–10 сервера).";
    DiagramLost => "✗ {count} without an answer", "✗ без ответа: {count}";
    HelpStep4 => "The client's recvfrom() gets the answer, prints it and closes the socket (client steps 7–9).", "recvfrom() клиента получает ответ, печатает его и закрывает сокет (пункты 7–9 клиента).";
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
    WaitingForFirst => "Listening — waiting for the first datagram.", "Слушает — ждёт первую датаграмму.";
    Truncated => "read {read} of {len} bytes — the rest is discarded by the kernel", "прочитано {read} из {len} байт — остаток отброшен ядром";
    TruncatedShort => "truncated", "обрезано";
    TruncatedWindows => "read {read} of {len} bytes — on Windows this recvfrom fails with WSAEMSGSIZE (Python: OSError [WinError 10040]) and the rest is discarded", "прочитано {read} из {len} байт — в Windows этот recvfrom завершается ошибкой WSAEMSGSIZE (Python: OSError [WinError 10040]), остаток отброшен";
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
    EmptyDatagram => "(empty datagram)", "(пустая датаграмма)";
    PausedNew => "{count} newer not shown", "ещё {count} не показано";
    // The time cursor (lab/timeline.rs, panels/timebar.rs).
    TimePause => "Pause", "Пауза";
    TimePlay => "Play", "Воспроизвести";
    TimeToStart => "To start", "В начало";
    TimeStepBack => "Step back", "Шаг назад";
    TimeStepForward => "Step forward", "Шаг вперёд";
    TimePreviousDatagram => "Previous datagram", "Предыдущая датаграмма";
    TimeNextDatagram => "Next datagram", "Следующая датаграмма";
    TimeLive => "Live", "Вживую";
    TimeSpeed => "Playback speed", "Скорость воспроизведения";
    TimeOnePerSecond => "1 call/s", "1 вызов/с";
    TimeLiveNow => "Live: every view shows the newest call", "Вживую: все виды показывают последний вызов";
    TimeReplaying => "Replaying {time}", "Повтор {time}";
    TimeBeforeFirst => "before the first call", "до первого вызова";
    TimeCallOf => "call {index} of {count}", "вызов {index} из {count}";
    TimeNewSince => "{count} new calls since", "с тех пор новых вызовов: {count}";
    TimeKeys => "Keys: Space pause / play · Home to start · ← → one call · Shift+← → one datagram · End live", "Клавиши: Пробел — пауза / воспроизведение · Home — в начало · ← → — на вызов · Shift+← → — на датаграмму · End — вживую";
    DiagramUpTo => "{shown} of {count} datagrams up to the cursor", "до курсора: {shown} из {count} датаграмм";
    DemoStepByStep => "Demo step by step", "Демо по шагам";
    DemoStepByStepShort => "▶ step by step", "▶ по шагам";
    SimDemoShort => "Demo: 30 % loss", "Демо: 30 % потерь";
    DemoStepByStepHint => "The demo's burst, played back one call a second: each lost datagram (✗) in turn", "Пакет демо, воспроизводимый по одному вызову в секунду: каждая потеря (✗) по очереди";
    RatePerSecond => "{rate} per second", "{rate} в секунду";
    LimitRepliesTo => "Limit replies to", "Не больше";
    RepliesPerSecond => "replies/s", "ответов/с";
    ReplyLimitHint => "A reply can be sent to a forged sender address: limiting replies keeps the server from being used to flood someone else.", "Ответ может уйти на поддельный адрес отправителя: ограничение не даёт использовать сервер для заваливания трафиком кого-то другого.";
    RepliesHeldBack => "{count} replies held back by the rate limit", "Ответов сдержано ограничением: {count}";
    Theme => "Theme", "Тема";
    ViewTrace => "Socket calls", "Вызовы сокетов";
    ViewDiagram => "Sequence diagram", "Диаграмма последовательности";
    ViewAnatomy => "Datagram anatomy", "Анатомия датаграммы";
    // With TCP chosen the tab shows one direction of a connection (issue 27).
    ViewStreamAnatomy => "Stream anatomy", "Анатомия потока";
    AnatomyEmpty => "No datagrams yet. Start the server and press Send: the newest datagram's header and bytes will appear here.", "Датаграмм пока нет. Запустите сервер и нажмите «Отправить»: здесь появятся заголовок и байты последней датаграммы.";
    AnatomyNewest => "newest datagram — click an arrow in the sequence diagram to pick another", "последняя датаграмма — щёлкните стрелку на диаграмме последовательности, чтобы выбрать другую";
    AnatomyPrevious => "← Previous", "← Предыдущая";
    AnatomyNext => "Next →", "Следующая →";
    AnatomyNewestButton => "Newest", "Последняя";
    AnatomyPosition => "datagram {n} of {total}", "датаграмма {n} из {total}";
    AnatomyRequest => "Request: client → server", "Запрос: клиент → сервер";
    AnatomyReply => "Reply: server → client", "Ответ: сервер → клиент";
    AnatomySentAt => "sent {time}", "отправлена {time}";
    AnatomyReceivedAt => "received {time}", "получена {time}";
    AnatomyHeaderTitle => "UDP header (RFC 768): 8 bytes, 32 bits a row", "Заголовок UDP (RFC 768): 8 байт, 32 бита в строке";
    AnatomyField => "{name}: {value}", "{name}: {value}";
    AnatomySrcPort => "Source port", "Порт отправителя";
    AnatomyDstPort => "Destination port", "Порт получателя";
    AnatomyLength => "Length", "Длина";
    AnatomyChecksum => "Checksum", "Контрольная сумма";
    AnatomyDataRow => "Data: {n} bytes", "Данные: {n} байт";
    AnatomyUnknown => "unknown", "неизвестно";
    AnatomySrcPortHelp => "The port of the socket that sent the datagram; an answer goes back to it.", "Порт сокета, отправившего датаграмму; ответ придёт на него.";
    AnatomyDstPortHelp => "The port the receiving socket is bound to.", "Порт, к которому привязан сокет-получатель.";
    AnatomyLengthExplain => "Length = 8 (header) + {payload} (data) = {total} bytes", "Длина = 8 (заголовок) + {payload} (данные) = {total} байт";
    AnatomyLengthUnknown => "The real length is unknown: the OS reported only the {read} bytes read.", "Настоящая длина неизвестна: ОС сообщила только о {read} прочитанных байтах.";
    AnatomyChecksumExplain => "Checksum = one's complement of the one's complement sum of the pseudo header ({src} → {dst}, protocol 17, length {len}), the header and the data.", "Контрольная сумма = обратный код суммы в обратном коде псевдозаголовка ({src} → {dst}, протокол 17, длина {len}), заголовка и данных.";
    AnatomyChecksumOffload => "This is the value RFC 768 defines. A capture may show another one: with checksum offload (always on loopback) the kernel leaves the sum to the network card.", "Это значение по RFC 768. В захвате трафика оно может отличаться: при аппаратном подсчёте (на loopback — всегда) ядро оставляет сумму сетевой карте.";
    AnatomyChecksumAssumed => "The socket is bound to {any}: the checksum depends on the source address the kernel picks. For a loopback peer it is {ip}, used here.", "Сокет привязан к {any}: контрольная сумма зависит от адреса отправителя, который выберет ядро. Для собеседника на loopback это {ip}; он и взят.";
    AnatomyChecksumNeedsAddress => "Unknown: the socket is bound to {any}, and the checksum depends on the source address the kernel picks, which UDP Lab cannot see.", "Неизвестна: сокет привязан к {any}, а контрольная сумма зависит от адреса отправителя, который выбирает ядро; UDP Lab его не видит.";
    AnatomyChecksumIncomplete => "Unknown: the checksum covers all of the data, and the kernel discarded its end.", "Неизвестна: сумма считается по всем данным, а их конец ядро отбросило.";
    AnatomyChecksumMixed => "Unknown: one address is IPv4, the other IPv6.", "Неизвестна: один адрес IPv4, другой IPv6.";
    AnatomyHeaderBytes => "Header on the wire: {hex}", "Заголовок в сети: {hex}";
    AnatomyPayloadTitle => "Data: hex and text", "Данные: hex и текст";
    AnatomyNoData => "The datagram carries no data: it is only the 8-byte header.", "Датаграмма без данных: только 8-байтовый заголовок.";
    AnatomyShownFirst => "showing the first {shown} of {total} bytes", "показаны первые {shown} из {total} байт";
    AnatomyHoverHint => "Point at a byte to see it in both columns.", "Наведите указатель на байт, чтобы увидеть его в обеих колонках.";
    AnatomyHoveredByte => "data byte {offset} (datagram byte {wire}): 0x{hex} = {dec}", "байт данных {offset} (байт датаграммы {wire}): 0x{hex} = {dec}";
    AnatomyTruncatedUnknownLen => "read {read} bytes; the datagram was longer — the rest is discarded by the kernel", "прочитано {read} байт; датаграмма была длиннее — остаток отброшен ядром";
    AnatomyUnreadMarked => "The bytes from offset {read} on (marked) never reached the receiving program: its buffer holds {buffer} bytes.", "Байты начиная со смещения {read} (отмечены) не дошли до программы-получателя: её буфер — {buffer} байт.";
    AnatomyRestUnknown => "The other {n} bytes are unknown: only the sender had them.", "Остальные {n} байт неизвестны: они были только у отправителя.";
    AnatomyRestUnknownNoLen => "The rest is unknown: only the sender had it.", "Остаток неизвестен: он был только у отправителя.";
    ThemeSystem => "System", "Системная";
    ThemeLight => "Light", "Светлая";
    ThemeDark => "Dark", "Тёмная";
    // Toolbar tools: presentation, "This computer", screenshot, exports.
    Tools => "Tools", "Инструменты";
    Presentation => "Presentation mode", "Презентация";
    PresentationHint => "For a projector: larger, thicker lines, high contrast. Ctrl + and Ctrl − zoom, Ctrl 0 resets.", "Для проектора: крупнее, толще линии, высокий контраст. Ctrl + и Ctrl − меняют масштаб, Ctrl 0 сбрасывает.";
    ThisComputer => "This computer", "Этот компьютер";
    ThisComputerHint => "This computer's addresses, to tell a classmate where to send", "Адреса этого компьютера — чтобы сказать однокурснику, куда отправлять";
    ThisComputerIntro => "Give a classmate one of these addresses with your server's port; they send to it. Loopback works only on this computer.", "Сообщите однокурснику один из этих адресов и порт вашего сервера — он будет отправлять на него. Петлевой адрес работает только на этом компьютере.";
    Interface => "Interface", "Интерфейс";
    Address => "Address", "Адрес";
    Refresh => "Refresh", "Обновить";
    LookingUpAddresses => "Looking up addresses…", "Поиск адресов…";
    Copy => "Copy", "Копировать";
    CopyAddress => "Copy {ip}", "Копировать {ip}";
    Copied => "Copied {text}", "Скопировано: {text}";
    UseAsBind => "Use as bind address", "Привязать сервер";
    UseAsBindAddress => "Use {ip} as bind address", "Привязать сервер к {ip}";
    LinkLocalNoBind => "A link-local address needs an interface scope, which the bind address cannot hold", "Локальному адресу канала нужен идентификатор интерфейса, а в адресе привязки его не указать";
    StopServerToRebind => "Stop the server first: the bind address applies when it starts", "Сначала остановите сервер: адрес привязки применяется при запуске";
    AllInterfacesV4 => "all IPv4 interfaces", "все интерфейсы IPv4";
    AllInterfacesV6 => "all IPv6 interfaces", "все интерфейсы IPv6";
    LoopbackOnly => "loopback, this computer only", "петлевой, только этот компьютер";
    InterfacesFailed => "Could not list the network interfaces: {reason}", "Не удалось получить список сетевых интерфейсов: {reason}";
    NoInterfaces => "No network addresses found", "Сетевые адреса не найдены";
    CurrentBind => "Server bind address: {addr}", "Адрес привязки сервера: {addr}";
    ExposedAllInterfaces => "Bound to all interfaces: other computers on your networks can send to this server.", "Привязка ко всем интерфейсам: другие компьютеры в ваших сетях смогут отправлять датаграммы этому серверу.";
    ExposedNetwork => "Bound to a network address: other computers on that network can send to this server.", "Привязка к сетевому адресу: другие компьютеры в этой сети смогут отправлять датаграммы этому серверу.";
    Screenshot => "Screenshot", "Снимок экрана";
    ScreenshotHint => "Save a picture of the window to {dir} (Ctrl+Shift+S)", "Сохранить изображение окна в {dir} (Ctrl+Shift+S)";
    ScreenshotNoToolbar => "without toolbar", "без панели";
    ScreenshotNoToolbarName => "Screenshot without toolbar", "Снимок экрана без панели инструментов";
    ScreenshotSaved => "Screenshot saved: {path}", "Снимок экрана сохранён: {path}";
    CsvSaved => "Datagrams saved as CSV: {path}", "Датаграммы сохранены в CSV: {path}";
    PcapSaved => "Datagrams saved as pcap: {path}", "Датаграммы сохранены в pcap: {path}";
    ScreenshotFailed => "Could not save the screenshot: {reason}", "Не удалось сохранить снимок экрана: {reason}";
    CsvFailed => "Could not save the CSV file: {reason}", "Не удалось сохранить файл CSV: {reason}";
    PcapFailed => "Could not save the pcap file: {reason}", "Не удалось сохранить файл pcap: {reason}";
    ScreenshotNotDelivered => "The window did not hand over a picture. Try again with the window visible.", "Окно не передало изображение. Попробуйте ещё раз, когда окно будет видно.";
    OpenFolder => "Open folder", "Открыть папку";
    OpenFolderFailed => "Could not show the folder: {reason}", "Не удалось показать папку: {reason}";
    CopyImage => "Copy image", "Копировать изображение";
    ImageCopied => "Copied to the clipboard", "Скопировано в буфер обмена";
    Close => "Close", "Закрыть";
    Export => "Export", "Экспорт";
    ExportCsv => "Export CSV", "Экспорт CSV";
    ExportPcap => "Export pcap", "Экспорт pcap";
    ExportHint => "Save this session's {count} datagrams (CSV for a spreadsheet, pcap for Wireshark) to {dir}", "Сохранить датаграммы этого сеанса ({count}; CSV — для электронной таблицы, pcap — для Wireshark) в {dir}";
    ExportNothing => "No datagrams yet: send something first", "Датаграмм пока нет: сначала что-нибудь отправьте";
    ReasonNoPermission => "no permission to write in {dir}", "нет прав на запись в {dir}";
    ReasonNoFolder => "the folder {dir} does not exist", "папки {dir} не существует";
    ReasonDiskFull => "the disk is full", "диск заполнен";
    ReasonReadOnly => "{dir} is on a read-only disk", "{dir} находится на диске только для чтения";
    Burst => "Burst", "Серия";
    Interval => "every", "интервал";
    Milliseconds => "ms", "мс";
    RttSummary => "RTT min/avg/p99/max = {min} / {avg} / {p99} / {max}", "RTT мин./сред./p99/макс. = {min} / {avg} / {p99} / {max}";
    Cancel => "Cancel", "Отменить";
    SendBurst => "Send {count}", "Отправить {count}";
    NewSocketEachSend => "New socket for each Send", "Новый сокет для каждой отправки";
    NewSocketEachSendHint => "On: every Send comes from a new source port, like the lab's client. Off: one socket (one port) is reused.", "Вкл.: каждая отправка идёт с нового порта, как у клиента из лабораторной. Выкл.: используется один сокет (один порт).";
    BurstSummary => "{sent} of {requested} sent, {answered} answered, {lost} lost ({percent})", "Отправлено {sent} из {requested}, ответов {answered}, потеряно {lost} ({percent})";
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
    TraceByteFrom => "{n} byte from {addr}", "{n} байт от {addr}";
    TraceByteTo => "{n} byte → {addr}", "{n} байт → {addr}";
    TraceBytesFrom => "{n} bytes from {addr}", "{n} байт от {addr}";
    TraceBytesTo => "{n} bytes → {addr}", "{n} байт → {addr}";
    TraceTimedOut => "no datagram within {secs}", "нет датаграммы за {secs}";
    TraceError => "error: {message}", "ошибка: {message}";
    TraceRateLimited => "no sendto to {addr}: the reply rate limit held it back", "sendto к {addr} не выполнен: сработало ограничение частоты ответов";
    SimDropped => "dropped by the simulator", "отброшено симулятором";
    SimDelayed => "delayed {ms} ms by the simulator", "задержано симулятором на {ms} мс";
    SimDuplicated => "duplicated by the simulator", "продублировано симулятором";
    SimReordered => "reordered by the simulator", "переставлено симулятором";
    Network => "Network", "Сеть";
    NetworkHint => "An unreliable-network simulator for the datagrams UDP Lab sends (the client's requests and the server's replies). Loopback never loses anything; this does, on purpose.", "Симулятор ненадёжной сети для датаграмм, которые отправляет UDP Lab (запросы клиента и ответы сервера). Петля ничего не теряет, а симулятор теряет нарочно.";
    SimLoss => "Loss", "Потери";
    SimLossHint => "Chance that a datagram is never sent", "Вероятность, что датаграмма так и не будет отправлена";
    SimDelay => "Delay", "Задержка";
    SimDelayHint => "Each datagram waits this long before sendto, one way: a round trip gets it twice", "Каждая датаграмма ждёт столько перед sendto, в одну сторону: на путь туда и обратно — дважды";
    SimJitter => "Jitter", "Разброс";
    PlusMinus => "±", "±";
    SimJitterHint => "The delay varies by up to this much either way", "Задержка меняется на столько в обе стороны";
    SimDuplicate => "Duplicate", "Дубли";
    SimDuplicateHint => "Chance that a datagram is sent twice", "Вероятность, что датаграмма будет отправлена дважды";
    SimReorder => "Reorder", "Перестановка";
    SimReorderHint => "Chance that a datagram is held back until the next one has gone, so they arrive in the wrong order", "Вероятность, что датаграмма задержится до отправки следующей и они придут в обратном порядке";
    SimSeed => "Seed", "Сид (зерно генератора)";
    SimSeedHint => "The same seed gives the same pattern of losses, for a repeatable lesson", "Один и тот же сид (зерно генератора случайных чисел) даёт одинаковую картину потерь — урок можно повторить";
    PercentSign => "%", "%";
    PresetPerfect => "Perfect", "Идеальная";
    PresetWiFi => "Wi-Fi", "Wi-Fi";
    PresetBadMobile => "Bad mobile", "Плохая мобильная";
    PresetSatellite => "Satellite", "Спутник";
    SimDemo => "Demo: send 20 with 30 % loss", "Демо: 20 датаграмм при 30 % потерь";
    SimDemoHint => "Sets 30 % loss each way (fixed seed, nothing else) and sends a burst of 20 to the server address; start the server first. A request or its reply may be lost, so about half the exchanges fail: 1 − 0.7 × 0.7 ≈ 51 %.", "Включает 30 % потерь в каждую сторону (фиксированный сид, остальное выключено) и отправляет серию из 20 на адрес сервера; сначала запустите сервер. Теряться может и запрос, и ответ, поэтому не удаётся около половины обменов: 1 − 0,7 × 0,7 ≈ 51 %.";
    SimOnShort => "Simulator: {what}", "Симулятор: {what}";
    SimOn => "Simulator on: {what} — each way, requests and replies", "Симулятор включён: {what} — в обе стороны, запросы и ответы";
    SimOff => "Perfect network: every datagram is delivered once, in order", "Идеальная сеть: всё доходит один раз и по порядку";
    SimOnLoss => "{p} loss", "потери {p}";
    SimOnDelay => "{ms} ms delay", "задержка {ms} мс";
    SimOnJitter => "±{ms} ms jitter", "разброс ±{ms} мс";
    SimOnDuplicate => "{p} duplicated", "дубли {p}";
    SimOnReorder => "{p} reordered", "перестановка {p}";
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
    // CLI and client: an answer from another address or port than the request's target (issue 11, cli).
    AnswerFromOtherSource => "The answer came from {from}, not from {to} where the request went", "Ответ пришёл с {from}, а не с {to}, куда ушёл запрос";
    FromOtherSourceCount => "{count} answered from another address or port", "{count} ответили с другого адреса или порта";
    // Layout (the window in front of a class).
    ResponsePreviewNote => "… {bytes} bytes, see Datagram anatomy", "… {bytes} байт, см. «Анатомия датаграммы»";
    // Handout step numbers and hints, settings saving, Open folder, the
    // demo, the diagram's click, small wording (the "steps" helper).
    StepNotInLab => "not in the lab", "нет в методичке";
    StepServerSocket => "Handout, server step 4: the server socket is created with socket.socket(), with AF_INET (IPv4) and SOCK_DGRAM (UDP).", "Методичка, сервер, пункт 4: создаётся сокет сервера функцией socket.socket() с параметрами AF_INET (IPv4) и SOCK_DGRAM (UDP).";
    StepServerBind => "Handout, server step 5: the socket is bound to the server's IP address and port with bind(). Step 6 then prints \"Server is listening on …\".", "Методичка, сервер, пункт 5: сокет сервера связывается с заданным IP-адресом и портом методом bind(). Затем пункт 6 выводит «Server is listening on …».";
    StepServerRecv => "Handout, server step 7: in an endless loop the server receives a message from a client with recvfrom(), given the maximum size in bytes (1024). Steps 8 and 9 print it (decode()) and build the answer.", "Методичка, сервер, пункт 7: в бесконечном цикле сервер принимает сообщение от клиента методом recvfrom(), указывая максимальный размер в байтах (1024). Пункты 8 и 9 выводят его (decode()) и создают ответ.";
    StepServerSend => "Handout, server step 10: the answer is sent to the client with sendto(), as bytes (encode()), to the address recvfrom() returned: no connection is needed.", "Методичка, сервер, пункт 10: ответ отправляется клиенту методом sendto() в виде байтов (encode()) по адресу, который вернул recvfrom(): соединение не нужно.";
    StepServerClose => "Not in the lab: the lab's server loops forever and never closes its socket. UDP Lab closes it when you press Stop.", "Нет в методичке: сервер из лабораторной работает в бесконечном цикле и сокет не закрывает. UDP Lab закрывает его по кнопке «Остановить».";
    StepReplySuppressed => "Not in the lab: the reply rate limit held this answer back, so no sendto() happened.", "Нет в методичке: ограничение частоты ответов задержало этот ответ, sendto() не вызывался.";
    StepClientSocket => "Handout, client step 5: the client socket is created with socket.socket(), with AF_INET (IPv4) and SOCK_DGRAM (UDP).", "Методичка, клиент, пункт 5: создаётся сокет клиента функцией socket.socket() с параметрами AF_INET (IPv4) и SOCK_DGRAM (UDP).";
    StepClientBind => "Not in the lab: the lab's client never calls bind() (its sendto() picks a free port). With \"New socket for each Send\" off, UDP Lab binds one socket to a free port once, so every Send leaves from the same port.", "Нет в методичке: клиент из лабораторной не вызывает bind() (порт выбирает sendto()). Когда «Новый сокет для каждой отправки» выключен, UDP Lab один раз привязывает сокет к свободному порту, и все отправки идут с одного порта.";
    StepClientNoStart => "Not in the lab: the client could not start (no socket, or the host name was not found), so none of the lab's steps ran.", "Нет в методичке: клиент не смог начать работу (нет сокета или имя хоста не найдено), ни один пункт лабораторной не выполнен.";
    StepClientSend => "Handout, client step 6: the message is sent to the server with sendto(), as bytes, with the server's address; the OS picks a free source port.", "Методичка, клиент, пункт 6: сообщение отправляется серверу методом sendto() в виде байтовой строки с адресом сервера; порт отправителя выбирает ОС.";
    StepClientRecv => "Handout, client step 7: the server's reply is received with recvfrom(), given the maximum size in bytes (1024). Step 8 prints it (decode()).", "Методичка, клиент, пункт 7: ответ сервера принимается методом recvfrom(), указывая максимальный размер в байтах (1024). Пункт 8 выводит его (decode()).";
    StepClientTimedOut => "Handout, client step 7: recvfrom() waits for the server's reply. The lab's client would wait forever; UDP Lab gives up after its timeout (settimeout(), which is not in the lab).", "Методичка, клиент, пункт 7: recvfrom() ждёт ответ сервера. Клиент из лабораторной ждал бы вечно; UDP Lab прекращает ждать по тайм-ауту (settimeout(), которого нет в методичке).";
    SendCancelled => "The server did not start, so the message waiting for it (--send) was not sent. Press Send when the server listens.", "Сервер не запустился, поэтому сообщение, ждавшее его (--send), не отправлено. Нажмите «Отправить», когда сервер будет слушать.";
    StepScriptUnknown => "The script's socket has neither bound nor sent yet: which of the lab's programs it plays (the server binds, the client sends first) is not known yet.", "Сокет скрипта ещё не связан (bind) и ничего не отправил: какую из программ лабораторной он играет (сервер связывает сокет, клиент сначала отправляет), пока неизвестно.";
    StepClientClose => "Handout, client step 9: the client socket is closed with close().", "Методичка, клиент, пункт 9: сокет клиента закрывается методом close().";
    // Issue 28: UDP Lab's web server and client (helper F; lab/i18n/http.rs).
    HttpRefusedDotDot => "Refused (403): the path has a \"..\" step, which would climb out of the served folder. A web server must never let a request reach files outside its folder.", "Отказано (403): в пути есть шаг \"..\", который поднялся бы выше раздаваемой папки. Веб-сервер никогда не должен давать запросу добраться до файлов вне своей папки.";
    HttpRefusedAbsolute => "Refused (403): the path is not inside the served folder (it starts with \"//\", names a drive or does not start with \"/\"). A request's path is always looked up in the folder, never on the whole disk.", "Отказано (403): путь не внутри раздаваемой папки (начинается с \"//\", называет диск или не начинается с \"/\"). Путь из запроса всегда ищется в папке, а не на всём диске.";
    HttpRefusedBackslash => "Refused (403): the path has a backslash. On Windows it separates folders and could hide a \"..\\\" step.", "Отказано (403): в пути есть обратная косая черта. В Windows она разделяет папки и может скрыть шаг \"..\\\".";
    HttpRefusedNul => "Refused (403): the path has a NUL byte (%00). File functions written in C stop at it and could open another file than the one checked.", "Отказано (403): в пути есть нулевой байт (%00). Файловые функции на C останавливаются на нём и могут открыть не тот файл, что был проверен.";
    HttpRefusedEncodedSlash => "Refused (403): the path has an encoded slash (%2f or %5c). A check made before decoding would miss the folder step it hides.", "Отказано (403): в пути закодированная косая черта (%2f или %5c). Проверка до декодирования не заметила бы шаг по папкам, который она скрывает.";
    HttpRefusedDoubleEncoded => "Refused (403): the path is percent-encoded twice (%25…). Decoding it a second time would reveal a hidden \"..\"; a request is decoded once.", "Отказано (403): путь закодирован дважды (%25…). Повторное декодирование открыло бы спрятанный \"..\"; запрос декодируют один раз.";
    HttpRefusedBadEncoding => "Refused (403): the path has a % not followed by two hex digits, or bytes that are not UTF-8.", "Отказано (403): в пути есть %, за которым не идут две шестнадцатеричные цифры, или байты не в UTF-8.";
    HttpRefusedSymlink => "Refused (403): the path leads out of the served folder through a symbolic link.", "Отказано (403): путь выводит из раздаваемой папки через символическую ссылку.";
    HttpRefusedTooLarge => "Refused (403): the file is larger than {max} MiB, more than this teaching server sends.", "Отказано (403): файл больше {max} МиБ — больше, чем отдаёт этот учебный сервер.";
    HttpStatus400 => "Bad request (400): the first line is not \"METHOD /path HTTP/1.x\".", "Неверный запрос (400): первая строка не вида \"МЕТОД /путь HTTP/1.x\".";
    HttpStatus404 => "Not found (404): there is no such file in the served folder.", "Не найдено (404): такого файла в раздаваемой папке нет.";
    HttpStatus405 => "Not allowed (405): this server answers GET and HEAD only.", "Метод не разрешён (405): этот сервер отвечает только на GET и HEAD.";
    HttpStatus408 => "Timed out (408): the request's headers did not end within {secs}. The connection was closed, so a slow client cannot hold the server.", "Время вышло (408): заголовки запроса не закончились за {secs}. Соединение закрыто, чтобы медленный клиент не мог занять сервер.";
    HttpStatus431 => "Too large (431): the request's headers passed {max} bytes; the rest was not read.", "Слишком большой запрос (431): заголовки превысили {max} байт; остальное не читалось.";
    HttpStatus503 => "Busy (503): {max} connections were being served already. Try again in a moment.", "Сервер занят (503): уже обслуживается соединений: {max}. Повторите чуть позже.";
    HttpStatus505 => "Not supported (505): this server speaks HTTP/1.0 and HTTP/1.1 only.", "Не поддерживается (505): этот сервер понимает только HTTP/1.0 и HTTP/1.1.";
    HttpErrBadUrl => "\"{url}\" is not an http:// address: write it as http://host:port/path, e.g. http://127.0.0.1:6789/HelloWorld.html.", "\"{url}\" — не адрес http://: запишите его как http://узел:порт/путь, например http://127.0.0.1:6789/HelloWorld.html.";
    HttpErrHttps => "\"{url}\" is https: UDP Lab's client speaks plain HTTP only (no TLS). Use http://.", "\"{url}\" — это https: клиент UDP Lab говорит только на простом HTTP (без TLS). Используйте http://.";
    HttpErrBadHeader => "The header \"{header}\" is not \"Name: value\" (a name without spaces, a colon, then the value).", "Заголовок \"{header}\" не вида \"Имя: значение\" (имя без пробелов, двоеточие, затем значение).";
    HttpErrResolve => "Cannot find the host \"{host}\".", "Не удаётся найти узел \"{host}\".";
    HttpErrRefused => "Connection refused by {addr}: an RST came back to the SYN, so nothing listens on that port. Start the web server (udp-lab server --http) or check the port.", "{addr} отклонил соединение: на SYN пришёл RST, значит, на этом порту никто не слушает. Запустите веб-сервер (udp-lab server --http) или проверьте порт.";
    HttpErrConnectTimeout => "No answer to the connection request to {addr} within {secs}: neither SYN-ACK nor RST came back. The computer may be off, or a firewall drops the packets.", "Нет ответа на запрос соединения с {addr} за {secs}: не пришли ни SYN-ACK, ни RST. Компьютер может быть выключен, или брандмауэр отбрасывает пакеты.";
    HttpErrTimeout => "The server took the connection but did not finish its answer within {secs} ({got} bytes arrived). A server that neither sends Content-Length nor closes the connection leaves a browser waiting the same way.", "Сервер принял соединение, но не закончил ответ за {secs} (пришло байт: {got}). Сервер, который не отправляет Content-Length и не закрывает соединение, так же заставляет браузер ждать.";
    HttpErrReset => "The server at {addr} reset the connection (RST) before its answer was complete.", "Сервер {addr} сбросил соединение (RST), не закончив ответ.";
    HttpErrTooLarge => "The answer is longer than {limit} bytes; the client stopped reading.", "Ответ длиннее {limit} байт; клиент перестал читать.";
    HttpErrIo => "{call} failed: {message}", "{call} не выполнен: {message}";
    HttpErrNotHttp => "The answer is not an HTTP response: it does not start with a status line like \"HTTP/1.1 200 OK\" ({got} bytes arrived).", "Ответ — не HTTP-ответ: он не начинается со строки состояния вида \"HTTP/1.1 200 OK\" (пришло байт: {got}).";
    HttpErrNoEmptyLine => "The answer's headers never ended: no empty line (\\r\\n\\r\\n) came after them, so the body cannot be told from the headers ({got} bytes arrived).", "Заголовки ответа так и не закончились: после них нет пустой строки (\\r\\n\\r\\n), поэтому тело не отличить от заголовков (пришло байт: {got}).";
    HttpErrShortBody => "The body is {missing} bytes shorter than its Content-Length says: the server closed before sending all of it.", "Тело на {missing} байт короче, чем сказано в Content-Length: сервер закрыл соединение, не отправив его целиком.";
    HttpErrEmpty => "The server closed the connection without answering (0 bytes).", "Сервер закрыл соединение, ничего не ответив (0 байт).";
    CodeWebFolder => "the folder served", "раздаваемая папка";
    CodeWebSocket => "socket (IPv4, TCP)", "создание сокета (IPv4, TCP)";
    CodeWebReuse => "SO_REUSEADDR: restart at once, without \"address in use\"", "SO_REUSEADDR: перезапуск сразу, без \"адрес уже используется\"";
    CodeWebListen => "listen: a queue of up to 5 connections", "listen: очередь до 5 соединений";
    CodeWebReady => "where to open the page", "где открыть страницу";
    CodeWebAccept => "accept: one connection from the browser", "accept: одно соединение от браузера";
    CodeWebRecv => "recv: the request (one recv may hold only part of it; the first line is enough here)", "recv: запрос (один recv может вернуть лишь его часть; здесь хватит первой строки)";
    CodeWebPath => "the file's name: the request line's second word", "имя файла — второе слово строки запроса";
    CodeWebDotDot => "never outside the folder", "никогда за пределы папки";
    CodeWebOpen => "open in binary mode (\"rb\"): a picture is bytes, not text", "открыть в двоичном режиме (\"rb\"): картинка — байты, а не текст";
    CodeWebHead => "status line, headers, then the empty line", "строка состояния, заголовки, затем пустая строка";
    CodeWebSend => "sendall: the head and the file, as bytes", "sendall: заголовок и файл в виде байтов";
    CodeWeb404 => "no such file: 404 Not Found instead of a crash", "нет такого файла: 404 Not Found вместо падения";
    CodeWebClose => "close: the browser knows the answer has ended", "close: браузер узнаёт, что ответ закончился";
    // Issue 28 (helper G): HTTP in the panels.
    HttpFolder => "Folder", "Папка";
    HttpFolderHint => "The folder the server serves; empty: UDP Lab's own HelloWorld.html and its picture. Nothing outside it is served.", "Папка, которую раздаёт сервер; пусто — собственные HelloWorld.html и картинка UDP Lab. Ничего вне её не раздаётся.";
    HttpBuiltinSite => "(built-in HelloWorld.html)", "(встроенная HelloWorld.html)";
    HttpRootNotFolder => "it is not a folder", "это не папка";
    HttpRootUnusable => "The folder {path} cannot be served: {reason}. Give an existing folder, or leave the field empty for the built-in page.", "Папку {path} нельзя раздавать: {reason}. Укажите существующую папку или оставьте поле пустым для встроенной страницы.";
    HttpOpenInBrowser => "Open in browser", "Открыть в браузере";
    HttpOpenInBrowserHint => "Opens the server's HelloWorld.html in the system's browser: its requests appear in the log below.", "Открывает HelloWorld.html сервера в системном браузере: его запросы появятся в журнале ниже.";
    HttpBrowserOpening => "Opening {url} in the browser…", "Открываю {url} в браузере…";
    HttpBrowserOpened => "Asked the browser to open {url}.", "Браузер получил адрес {url}.";
    HttpBrowserNoOpener => "no browser was found: the BROWSER variable is not set and xdg-open is not installed. Open the address by hand", "браузер не найден: переменная BROWSER не задана, а xdg-open не установлен. Откройте адрес вручную";
    HttpBrowserFailed => "{program} failed: {said}", "{program} не смог: {said}";
    HttpBrowserCouldNot => "Could not open {url}: {reason}.", "Не удалось открыть {url}: {reason}.";
    HttpSimulatorNote => "The network simulator acts on UDP only. HTTP runs on TCP, where it does not apply: the kernel retransmits what is lost, so a page arrives whole — only later.", "Имитатор сети действует только на UDP. HTTP работает поверх TCP, где он не применяется: ядро само повторяет потерянное, поэтому страница приходит целиком — только позже.";
    HttpRequests => "Requests", "Запросы";
    HttpRequestsTotal => "{total} in all", "всего {total}";
    HttpRequestsDropped => "{count} older requests dropped from the list", "{count} старых запросов убрано из списка";
    HttpNoRequests => "No requests yet.", "Запросов пока нет.";
    HttpWaitingForRequest => "Waiting for a request: open the page in a browser or press Send in the client.", "Ждём запрос: откройте страницу в браузере или нажмите «Отправить» в клиенте.";
    HttpColRequest => "Request", "Запрос";
    HttpColStatus => "Status", "Статус";
    HttpColBytes => "Sent", "Отправлено";
    HttpNoRequestLine => "(no request line)", "(нет строки запроса)";
    HttpRawRequest => "Request #{n} as it arrived ({bytes} bytes; CR LF shown as \\r\\n):", "Запрос №{n}, как он пришёл ({bytes} байт; CR LF показаны как \\r\\n):";
    HttpRawEmpty => "Nothing arrived before the server answered.", "До ответа сервера ничего не пришло.";
    HttpRowHint => "Click to see the request as it arrived.", "Нажмите, чтобы увидеть запрос, как он пришёл.";
    HttpUrl => "URL", "URL";
    HttpHeaders => "Headers", "Заголовки";
    HttpHeadersHint => "Extra headers, one \"Name: value\" a line. Host, User-Agent and Connection: close are added unless given here.", "Дополнительные заголовки, по одному \"Имя: значение\" в строке. Host, User-Agent и Connection: close добавляются, если их нет здесь.";
    HttpFetching => "GET sent, waiting for the answer…", "GET отправлен, ждём ответ…";
    HttpAnswerFrom => "{bytes} bytes from {peer}", "{bytes} байт от {peer}";
    HttpNotResponse => "The answer does not start with a status line (HTTP/1.x code reason): it is not an HTTP response.", "Ответ не начинается со строки состояния (HTTP/1.x код причина): это не HTTP-ответ.";
    HttpNoEmptyLine => "The headers never ended: no empty line (\\r\\n\\r\\n) arrived, so there is no body.", "Заголовки так и не закончились: пустая строка (\\r\\n\\r\\n) не пришла, поэтому тела нет.";
    HttpBodyEmpty => "(empty body)", "(пустое тело)";
    HttpBodyCut => "The body is {total} bytes; the first {shown} are shown.", "Тело — {total} байт; показаны первые {shown}.";
    HttpBodyBinary => "{mime}, {bytes} bytes (not text)", "{mime}, {bytes} байт (не текст)";
    HttpImageInfo => "{mime}, {bytes} bytes, {w}×{h}", "{mime}, {bytes} байт, {w}×{h}";
    HttpImageBroken => "{mime}, {bytes} bytes: the picture could not be decoded ({reason})", "{mime}, {bytes} байт: картинку не удалось разобрать ({reason})";
    HttpAnswerCut => "Only the first {kept} of {total} bytes were kept.", "Сохранены только первые {kept} из {total} байт.";
    // Issue 11, items 10 and 17.
    LimitShort => "Limit…", "Лимит…";
    LimitShortOn => "≤ {rate}/s", "≤ {rate}/с";
    CopyWithPort => "Copy with port", "Копировать с портом";
    ReasonFileGone => "the file is no longer there ({path})", "файла больше нет ({path})";
    ReasonNoFileManager => "no file manager was found to show it ({detail}). The file is saved; its path is above.", "не найден файловый менеджер, чтобы её показать ({detail}). Файл сохранён, его путь указан выше.";
    // Issue 27 (helper E): TCP in the window — the panels' protocol choice,
    // the connection list, the connection diagram and the stream anatomy.
    Protocol => "Protocol", "Протокол";
    ProtocolHint => "UDP: separate datagrams, each read whole by one recvfrom. TCP: a connection that carries one stream of bytes; recv returns whatever bytes have arrived.", "UDP: отдельные датаграммы, каждую целиком читает один recvfrom. TCP: соединение, по которому идёт один поток байтов; recv возвращает те байты, что уже пришли.";
    TcpBacklog => "listen() backlog", "Очередь listen()";
    TcpBacklogHint => "How many connections the kernel may finish (handshake done) before the program accepts them", "Сколько соединений ядро может установить (рукопожатие завершено), пока программа их не приняла (accept)";
    TcpConnections => "Connections", "Соединения";
    TcpConnectionsTotal => "{total} accepted", "принято: {total}";
    TcpNoConnections => "No connections yet", "Соединений пока нет";
    TcpWaitingForConnection => "Waiting for a client to connect…", "Ожидание подключения клиента…";
    TcpColPeer => "Client", "Клиент";
    TcpColState => "State", "Состояние";
    TcpColIn => "Read", "Прочитано";
    TcpColOut => "Sent", "Отправлено";
    TcpStateOpen => "open", "открыто";
    TcpStatePeerClosed => "client closed", "клиент закрыл";
    TcpStateClosed => "closed", "закрыто";
    TcpConnectionsDropped => "{count} older connections are no longer listed", "Старые соединения больше не показаны: {count}";
    TcpSimulatorNote => "The network simulator acts on UDP only. For TCP it does not apply: the kernel retransmits what is lost, so the program never sees a loss — only a delay.", "Имитатор сети действует только на UDP. К TCP он не применяется: ядро само повторяет потерянное, поэтому программа никогда не видит потерь — только задержку.";
    TcpPieces => "Send in", "Отправить";
    TcpPiecesUnit => "pieces,", "частями,";
    TcpPieceDelay => "ms apart", "мс между ними";
    TcpPiecesHint => "Splits the message into this many send() calls with a pause between them: the lever that shows TCP joining or splitting them on the receiver's side", "Делит сообщение на столько вызовов send() с паузой между ними: так видно, как TCP склеивает или делит их на стороне получателя";
    TcpShutdown => "shutdown(SHUT_WR) after sending", "shutdown(SHUT_WR) после отправки";
    TcpShutdownHint => "Tells the server \"no more data\" (its recv returns b'') while the client still reads the answer", "Сообщает серверу «данных больше не будет» (его recv вернёт b''), а клиент всё ещё читает ответ";
    TcpConnecting => "Connecting…", "Подключение…";
    TcpClientClosed => "Connection closed: {sent} bytes sent, {read} bytes read.", "Соединение закрыто: отправлено байт — {sent}, прочитано — {read}.";
    TcpNoReply => "The server sent nothing back before the timeout.", "Сервер ничего не прислал до истечения тайм-аута.";
    TcpDiagramEmpty => "No TCP connection yet: choose TCP in both panels, start the server and press Send.", "TCP-соединений пока нет: выберите TCP в обеих панелях, запустите сервер и нажмите «Отправить».";
    TcpConnectionOf => "Connection {n} of {total}", "Соединение {n} из {total}";
    TcpHandshake => "three-way handshake — done by the kernel", "тройное рукопожатие — его выполняет ядро";
    TcpListeningSocket => "listening socket", "слушающий сокет";
    TcpClientSocket => "client socket", "сокет клиента";
    TcpAcceptedSocket => "accepted socket", "принятый сокет";
    TcpSendArrow => "send: {bytes} B", "send: {bytes} Б";
    TcpRecvBracket => "recv → {bytes} B", "recv → {bytes} Б";
    TcpEofMark => "recv → b'' (the peer closed)", "recv → b'' (собеседник закрыл)";
    TcpFinArrow => "FIN — sent by the kernel", "FIN — отправляет ядро";
    TcpAcceptMark => "accept() → a new socket", "accept() → новый сокет";
    TcpConnectMark => "connect() → 0 (connected)", "connect() → 0 (соединение установлено)";
    TcpKernelLegend => "Solid: the program's calls, as recorded. Dashed and italic: the kernel's part, which no call shows.", "Сплошное: вызовы программы, как они записаны. Пунктир и курсив: работа ядра, которую не показывает ни один вызов.";
    StreamTitle => "{from} → {to}: {bytes} bytes in the stream", "{from} → {to}: байт в потоке — {bytes}";
    StreamClientToServer => "client → server", "клиент → сервер";
    StreamServerToClient => "server → client", "сервер → клиент";
    StreamSendsAbove => "above: where each send() ended", "сверху: где кончился каждый send()";
    StreamRecvsBelow => "below: what each recv() returned", "снизу: что вернул каждый recv()";
    StreamSendOne => "{n} send", "{n} вызов send";
    StreamSendFew => "{n} sends", "{n} вызова send";
    StreamSendMany => "{n} sends", "{n} вызовов send";
    StreamRecvOne => "{n} recv", "{n} вызов recv";
    StreamRecvFew => "{n} recvs", "{n} вызова recv";
    StreamRecvMany => "{n} recvs", "{n} вызовов recv";
    StreamDatagramOne => "{n} datagram", "{n} датаграмму";
    StreamDatagramFew => "{n} datagrams", "{n} датаграммы";
    StreamDatagramMany => "{n} datagrams", "{n} датаграмм";
    StreamSentence => "{sends}, {recvs}: TCP kept the bytes and lost the boundaries; UDP would have delivered {datagrams}", "{sends}, {recvs}: TCP сохранил байты и потерял границы; UDP доставил бы {datagrams}";
    StreamSentenceSame => "{sends}, {recvs}: this time each recv returned one send's bytes — TCP does not promise that; UDP would have delivered {datagrams}", "{sends}, {recvs}: на этот раз каждый recv вернул байты одного send — TCP этого не обещает; UDP доставил бы {datagrams}";
    StreamNotRead => "{bytes} bytes not read yet", "ещё не прочитано байт: {bytes}";
    StreamEof => "end of stream: recv → b''", "конец потока: recv → b''";
    StreamBytesBeyond => "{count} more bytes of this direction are counted, not kept", "Ещё байт в этом направлении: {count} (посчитаны, но не сохранены)";
    StreamPick => "Direction", "Направление";
    // Issue 28 (helper H): HTTP anatomy and the web programs.
    ViewHttpAnatomy => "HTTP anatomy", "Анатомия HTTP";
    HttpRequestNOf => "request {n} of {total} on this connection (kept alive)", "запрос {n} из {total} в этом соединении (keep-alive)";
    HttpResponseNOf => "response {n} of {total} on this connection (kept alive)", "ответ {n} из {total} в этом соединении (keep-alive)";
    HttpRequestOf => "{from} → {to}: the request, {bytes} bytes", "{from} → {to}: запрос, байт — {bytes}";
    HttpResponseOf => "{from} → {to}: the response, {bytes} bytes", "{from} → {to}: ответ, байт — {bytes}";
    HttpAsStream => "Plain stream", "Просто поток";
    HttpAsMessage => "As HTTP", "Как HTTP";
    HttpNothingYet => "No bytes in this direction yet.", "В этом направлении ещё нет байтов.";
    HttpNotHttp => "These bytes are not an HTTP message: the plain stream shows them.", "Эти байты — не сообщение HTTP: их показывает просто поток.";
    HttpRequestLine => "request line", "строка запроса";
    HttpStatusLine => "status line", "строка статуса";
    HttpHeader => "header", "заголовок";
    HttpMalformed => "not a header (no name: value)", "не заголовок (нет «имя: значение»)";
    HttpEmptyLine => "empty line: the head ends here", "пустая строка: здесь кончается заголовок";
    HttpBody => "body", "тело";
    HttpExtra => "bytes after this message", "байты после этого сообщения";
    HttpLineNotEnded => "(the line has not ended yet)", "(строка ещё не кончилась)";
    HttpBareLf => "ends in a bare \\n: HTTP asks for \\r\\n", "кончается одним \\n: HTTP требует \\r\\n";
    HttpNoEmptyLineResponse => "no empty line after the headers: the browser waits for more headers", "нет пустой строки после заголовков: браузер ждёт новых заголовков";
    HttpNoEmptyLineRequest => "no empty line after the headers: the server waits for more headers", "нет пустой строки после заголовков: сервер ждёт новых заголовков";
    HttpBodyComplete => "complete, {bytes} bytes = Content-Length", "полное, {bytes} байт = Content-Length";
    HttpBodyShort => "short: {have} of {length} bytes (Content-Length), {missing} still to come", "короткое: {have} из {length} байт (Content-Length), ещё не пришло — {missing}";
    HttpBodyExtra => "extra: {extra} bytes after the {length} of Content-Length are not this body", "лишнее: {extra} байт после {length} из Content-Length — не это тело";
    HttpBodyChunked => "chunked (Transfer-Encoding): it ends with a chunk of size 0", "по частям (Transfer-Encoding: chunked): конец — часть длины 0";
    HttpBodyUntilCloseOpen => "no Content-Length: the body ends when the server closes — it has not closed, so the browser waits", "нет Content-Length: тело кончится, когда сервер закроет соединение — он не закрыл, браузер ждёт";
    HttpBodyUntilClosed => "no Content-Length: the body ended when the server closed, {bytes} bytes", "нет Content-Length: тело кончилось, когда сервер закрыл соединение, байт — {bytes}";
    HttpBodyNone => "no body (none is announced)", "тела нет (оно не объявлено)";
    HttpBodyNoneExtra => "{extra} bytes after the empty line, but no Content-Length announced a body", "после пустой строки {extra} байт, но Content-Length тела не объявлял";
    HttpBodyBadLength => "Content-Length “{value}” is not one number: where the body ends is unknown", "Content-Length «{value}» — не одно число: где кончается тело, неизвестно";
    HttpBodyLeftOut => "{count} more bytes of the body are not shown", "ещё байт тела не показано: {count}";
    HttpLinesLeftOut => "{count} more lines are not shown", "ещё строк не показано: {count}";
    HttpCarriedBy => "carried by", "перенесли";
    HttpCallsTitle => "Which call carried which part", "Какой вызов перенёс какую часть";
    HttpCallParts => "{call} {n} ({bytes} B): {parts}", "{call} {n} ({bytes} Б): {parts}";
    HttpPartOf => "part of the {part}", "часть: {part}";
    HttpHeaderCount => "headers: {n}", "заголовков: {n}";
    CodeWebClientConnect => "connect to the web server (TCP's handshake)", "подключиться к веб-серверу (рукопожатие TCP)";
    CodeWebClientRequest => "the request: the request line, headers and the empty line", "запрос: строка запроса, заголовки и пустая строка";
    CodeWebClientSend => "send the whole request", "отправить весь запрос";
    CodeWebClientRecv => "read until the server closes (recv returns b'')", "читать, пока сервер не закроет (recv вернёт b'')";
    CodeWebClientPrint => "print the status line, the headers and the body", "напечатать строку статуса, заголовки и тело";
    CodeWebClientClose => "close the socket", "закрыть сокет";
    CodeWebClientSocket => "create a TCP socket", "создать сокет TCP";
    CodeWebClientUrl => "the window's URL: host, port and path", "URL из окна: хост, порт и путь";
    WebStepSocket => "UDP Lab's web server (webserver.py), step 4: a TCP socket — HTTP runs over TCP.", "Веб-сервер UDP Lab (webserver.py), пункт 4: сокет TCP — HTTP работает поверх TCP.";
    WebStepBind => "UDP Lab's web server (webserver.py), step 5: bind to the server's address and port (6789 in the lab).", "Веб-сервер UDP Lab (webserver.py), пункт 5: привязка к адресу и порту сервера (6789 в лабораторной).";
    WebStepListen => "UDP Lab's web server (webserver.py), step 6: listen — the kernel now takes browsers' connections.", "Веб-сервер UDP Lab (webserver.py), пункт 6: listen — теперь ядро принимает соединения браузеров.";
    WebStepAccept => "UDP Lab's web server (webserver.py), step 8: accept returns a new socket for one connection (a browser opens several: favicon.ico too).", "Веб-сервер UDP Lab (webserver.py), пункт 8: accept возвращает новый сокет для одного соединения (браузер открывает несколько: и для favicon.ico).";
    WebStepRecv => "UDP Lab's web server (webserver.py), step 9: recv returns the request's bytes that have arrived — a request may come in parts; step 10 takes the path from it.", "Веб-сервер UDP Lab (webserver.py), пункт 9: recv возвращает пришедшие байты запроса — запрос может прийти частями; пункт 10 берёт из него путь.";
    WebStepSend => "UDP Lab's web server (webserver.py), step 13: sendall sends the status line, the headers, the empty line and the file (step 12 built the head).", "Веб-сервер UDP Lab (webserver.py), пункт 13: sendall отправляет строку статуса, заголовки, пустую строку и файл (пункт 12 собрал заголовок).";
    WebStepClose => "UDP Lab's web server (webserver.py), step 15: close ends the connection; without Content-Length only this tells the browser the body has ended.", "Веб-сервер UDP Lab (webserver.py), пункт 15: close закрывает соединение; без Content-Length только это сообщает браузеру, что тело кончилось.";
    // Issue 13, part 1: the Code view (the lab's programs, src/lab/code.rs).
    ViewCode => "Code", "Код";
    CodeStepImport => "import", "импорт модуля";
    CodeStepMain => "main()", "функция main()";
    CodeStepAddress => "IP address and port", "IP-адрес и порт";
    CodeStepServerAddress => "the server's IP address and port", "IP-адрес и порт сервера";
    CodeStepSocket => "socket (IPv4, UDP)", "создание сокета (IPv4, UDP)";
    CodeStepBind => "bind", "привязка";
    CodeStepListening => "\"listening\"", "сообщение «слушает»";
    CodeStepRecv => "recvfrom", "приём сообщения";
    CodeStepPrintMessage => "print the message", "вывод сообщения";
    CodeStepAnswer => "the answer", "ответное сообщение";
    CodeStepAnswerEcho => "the answer is the message itself (echo)", "ответ — само сообщение (эхо)";
    CodeStepSend => "sendto: the answer", "отправка ответа";
    CodeStepMessage => "the message", "сообщение";
    CodeStepClientSend => "sendto: the message", "отправка сообщения";
    CodeStepClientRecv => "recvfrom: the answer", "приём ответа";
    CodeStepPrintAnswer => "print the answer", "вывод ответа";
    CodeStepClose => "close", "закрытие сокета";
    ScriptForgotten => "a script", "скрипт";
    CodeLabPrograms => "The lab's programs", "Программы лабораторной работы";
    CodeTraced => "{file} (traced)", "{file} (трассировка)";
    CodeScriptHint => "This is your script as it was when it started. The line of its latest socket call lights up (or of the receive it waits in); with the time cursor paused, the line of the call the cursor is on.", "Здесь показан ваш скрипт таким, каким он был при запуске. Подсвечивается строка его последнего вызова сокета (или приёма, в котором он ждёт); когда курсор времени на паузе — строка вызова, на котором стоит курсор.";
    CodeScriptUnreadable => "{file} could not be read ({reason}): its calls are still in Socket calls and the Sequence diagram.", "Не удалось прочитать {file} ({reason}): его вызовы всё равно видны во «Вызовах сокетов» и на «Диаграмме последовательности».";
    CodeScriptTooLong => "{file} is {kib} KiB, longer than UDP Lab shows (256 KiB): its calls are still in Socket calls and the Sequence diagram.", "{file} занимает {kib} КиБ — больше, чем показывает UDP Lab (256 КиБ): его вызовы всё равно видны во «Вызовах сокетов» и на «Диаграмме последовательности».";
    CodeNoReply => "No reply: the server sends nothing back", "Без ответа: сервер ничего не отправляет";
    CodeTimeoutNote => "not in the lab: wait at most {secs}", "нет в методичке: ждать не дольше {secs}";
    CodeTimeoutBranch => "not in the lab: no answer in time", "нет в методичке: ответ не пришёл вовремя";
    CodeAnyPort => "port 0: the port the OS picked", "порт 0: порт, выбранный ОС";
    CodePython2 => "Python 2.7 too", "чтобы работало и в Python 2.7";
    CodeHint => "The lab's programs with this window's values. The line that runs lights up; a row picked in Socket calls or an arrow in the Sequence diagram lights its lines.", "Программы из лабораторной со значениями из этого окна. Выполняемая строка подсвечивается; строка, выбранная во «Вызовах сокетов», или стрелка на «Диаграмме последовательности» подсвечивает свои строки.";
    CodeCopyName => "Copy {file}", "Копировать {file}";
    CodeSaveAs => "Save as…", "Сохранить как…";
    CodeSaveAsName => "Save {file} as…", "Сохранить {file} как…";
    CodeSaveHint => "Save as {file} in {dir} (an existing file is kept: the new one gets -2, -3 …)", "Сохранить как {file} в {dir} (существующий файл не затирается: новый получит -2, -3 …)";
    CodeSaved => "{file} saved: {path}", "{file} сохранён: {path}";
    CodeSaveFailed => "Could not save {file}: {reason}", "Не удалось сохранить {file}: {reason}";
    CodeBadAddress => "{field} is not valid: the code shows {addr}", "{field}: адрес неверен, в коде — {addr}";
    // Issue 27, helper D: the Code view's TCP programs, the tracer's TCP calls and their diagnoses.
    CodeTcpStepSocket => "socket (IPv4, TCP)", "создание сокета (IPv4, TCP)";
    CodeTcpStepListen => "listen: wait for connections", "listen: ожидание подключений";
    CodeTcpStepAccept => "accept: a connection, its own socket", "accept: подключение и его собственный сокет";
    CodeTcpStepRecv => "recv: the next bytes", "recv: следующие байты";
    CodeTcpStepEof => "b'': the client closed its side", "b'': клиент закрыл свою сторону";
    CodeTcpStepSendall => "sendall: the answer", "sendall: отправка ответа";
    CodeTcpStepEcho => "sendall: the answer is the bytes read (echo)", "sendall: ответ — прочитанные байты (эхо)";
    CodeTcpStepCloseConn => "close the connection", "закрытие подключения";
    CodeTcpStepConnect => "connect: the three-way handshake", "connect: тройное рукопожатие";
    CodeTcpStepClientSend => "sendall: the message", "sendall: отправка сообщения";
    CodeTcpStepClientRecv => "recv: the answer, piece by piece", "recv: ответ, по частям";
    CodeTcpShutdownNote => "nothing more to send: the server's recv() returns b'' and it closes", "больше отправлять нечего: recv() сервера вернёт b'', и он закроет подключение";
    CodeTcpServerWhy => "TCP keeps bytes, not messages: data may be part of what the client sent, or several of its sends at once", "TCP хранит байты, а не сообщения: data может быть частью отправленного клиентом или несколькими его send сразу";
    CodeTcpClientWhy => "TCP keeps bytes, not messages: one recv() may return part of the answer. Read until recv() returns b'': the server closed, nothing more will come", "TCP хранит байты, а не сообщения: один recv() может вернуть часть ответа. Читаем, пока recv() не вернёт b'': сервер закрыл подключение, больше ничего не придёт";
    TracedAccepted => "socket #{sock} from {addr}", "сокет #{sock} от {addr}";
    TracedPeerClosed => "b'' (the peer closed)", "b'' (собеседник закрыл соединение)";
    TracedStepTcpSocket => "TCP server step 4, client step 5 (UDP Lab's programs)", "шаг 4 TCP-сервера, шаг 5 TCP-клиента (программы UDP Lab)";
    TracedStepTcpServer => "TCP server step {n} (UDP Lab's program)", "шаг {n} TCP-сервера (программа UDP Lab)";
    TracedStepTcpClient => "TCP client step {n} (UDP Lab's program)", "шаг {n} TCP-клиента (программа UDP Lab)";
    DiagTcpRefused => "{site}: {call}({addr}) was refused: nothing listens at {addr}. The system answered the connection request with a TCP reset (RST), not an ICMP message as for UDP. Start the server first, or check the address and port.", "{site}: {call}({addr}) отклонён: по адресу {addr} никто не слушает. Система ответила на запрос соединения сбросом TCP (RST), а не сообщением ICMP, как для UDP. Сначала запустите сервер или проверьте адрес и порт.";
    DiagTcpTimeWait => "{site}: bind({addr}) failed: Address already in use, yet nothing listens there: connections closed a moment ago on this port are in TIME_WAIT (the side that closed first keeps it up to a minute, so that late packets find no new program). Set SO_REUSEADDR before bind and keep it in the script: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) (Linux lets a bind past TIME_WAIT only when the run that left it had it too), or wait a minute.", "{site}: bind({addr}) не удался: Address already in use, хотя там никто не слушает: соединения, только что закрытые на этом порту, находятся в TIME_WAIT (сторона, закрывшая первой, держит его до минуты, чтобы опоздавшие пакеты не попали в новую программу). Установите SO_REUSEADDR перед bind и оставьте его в скрипте: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) (Linux пропускает bind мимо TIME_WAIT, только если его установил и запуск, оставивший TIME_WAIT), или подождите минуту.";
    DiagTcpTimeWaitReuse => "{site}: bind({addr}) failed: Address already in use, yet nothing listens there: connections closed a moment ago on this port are in TIME_WAIT, left by a run without SO_REUSEADDR. This socket has it, but Linux lets a bind past TIME_WAIT only when the sockets in TIME_WAIT had it too: keep SO_REUSEADDR in the script and the next restart binds; now wait a minute.", "{site}: bind({addr}) не удался: Address already in use, хотя там никто не слушает: соединения, только что закрытые на этом порту, находятся в TIME_WAIT, и их оставил запуск без SO_REUSEADDR. У этого сокета он установлен, но Linux пропускает bind мимо TIME_WAIT, только если он был и у сокетов в TIME_WAIT: оставьте SO_REUSEADDR в скрипте, и следующий перезапуск свяжется; сейчас подождите минуту.";
    DiagTcpPartialSend => "{site}: send() sent only {sent} of {len} bytes, and the rest was never sent: send() may send just part of what it is given. Use sendall(), which sends everything, or send the rest in a loop.", "{site}: send() отправил только {sent} из {len} байт, а остальное так и не было отправлено: send() может отправить лишь часть данных. Используйте sendall(), который отправляет всё, или досылайте остаток в цикле.";
    DiagTcpEofLoop => "{site}: {call}() returned b'' again: the peer closed the connection (the first b'' said so) and b'' is no message: nothing more will come, and the loop spins. Stop reading when it returns b'': if not data: break.", "{site}: {call}() снова вернул b'': собеседник закрыл соединение (об этом говорил уже первый b''), а b'' — не сообщение: больше ничего не придёт, и цикл крутится впустую. Прекращайте чтение, когда он вернул b'': if not data: break.";
    DiagTcpOnListening => "{site}: {call}() on the listening socket: it only accepts connections and carries no data. Use the socket accept() returned: conn, addr = sock.accept(), then conn.{call}(…).", "{site}: {call}() на слушающем сокете: он только принимает подключения и не передаёт данных. Используйте сокет, который вернул accept(): conn, addr = sock.accept(), затем conn.{call}(…).";
    DiagTcpAcceptedUnclosed => "{site}: the connection accept() returned here is still open while the script waits for the next one at {waiting}: its client, reading until b'', waits forever. Close it when you are done: conn.close().", "{site}: подключение, которое здесь вернул accept(), всё ещё открыто, а скрипт уже ждёт следующее в {waiting}: его клиент, читающий до b'', будет ждать вечно. Закройте его, когда закончите: conn.close().";
    DiagTcpSplitRead => "{site}: recv() returned {read} bytes, and they end inside a send() of {len} bytes by the peer: {left} bytes of that message were not read yet. The script then went on to {next}() at {next_site} as if it had the whole message. TCP keeps bytes, not messages: read until the message is complete (until b'', a delimiter such as \\n, or a length sent first).", "{site}: recv() вернул {read} байт, и они обрываются внутри send() собеседника длиной {len} байт: {left} байт этого сообщения ещё не прочитаны. Затем скрипт перешёл к {next}() в {next_site}, как будто получил сообщение целиком. TCP хранит байты, а не сообщения: читайте, пока сообщение не будет полным (до b'', до разделителя вроде \\n или по длине, отправленной первой).";
    DiagTcpWaitsForClose => "{site}: {call}() has waited {secs} s with no timeout, after {read} bytes: the server neither sends more nor closes the connection, and a loop reading until b'' waits for that close forever. Have the server close the connection when it has answered (conn.close()), or read only what the answer needs; settimeout(2) would let this client give up.", "{site}: {call}() ждёт уже {secs} с без тайм-аута, получив {read} байт: сервер больше ничего не отправляет и не закрывает подключение, а цикл, читающий до b'', будет ждать этого закрытия вечно. Пусть сервер закроет подключение после ответа (conn.close()), или читайте только то, что нужно для ответа; settimeout(2) позволил бы этому клиенту прекратить ожидание.";
    // Issue 15: the classroom network
    ErrAddrInUseBy => "Port {port} is already in use by {name} (pid {pid})", "Порт {port} уже занят программой {name} (pid {pid})";
    ErrHostUnreachable => "No computer answered at {ip}: it may be off, or the address is wrong", "По адресу {ip} не ответил ни один компьютер: он может быть выключен, или адрес неверен";
    ErrNetUnreachable => "{ip} is not on any network this computer is connected to", "{ip} не входит ни в одну сеть, к которой подключён этот компьютер";
    ErrProhibited => "A firewall on the way refused the datagram to {addr} (ICMP administratively prohibited)", "Межсетевой экран на пути отказался пропустить датаграмму к {addr} (ICMP: запрещено администратором)";
    ErrNoAnswer => "No server answered within {secs}: no answer and no error. The server may be stopped, or a firewall drops UDP silently — on Windows allow UDP port {port} in Windows Defender Firewall; on Linux check ufw/nft", "Сервер не ответил за {secs}: ни ответа, ни ошибки. Возможно, сервер остановлен или межсетевой экран молча отбрасывает UDP — в Windows разрешите UDP-порт {port} в брандмауэре Защитника Windows; в Linux проверьте ufw/nft";
    ErrBroadcastOff => "{ip} is a broadcast address: turn Broadcast on (SO_BROADCAST; --broadcast on the command line) to send to it", "{ip} — широковещательный адрес: чтобы отправить на него, включите «Широковещательно» (SO_BROADCAST; --broadcast в командной строке)";
    StepSetSockOpt => "Not in the lab: the lab's programs set no socket options. Broadcast needs SO_BROADCAST; a multicast group is joined with IP_ADD_MEMBERSHIP and a request's reach set with IP_MULTICAST_TTL.", "Нет в методичке: программы из лабораторной не задают параметров сокета. Для широковещания нужен SO_BROADCAST; к группе многоадресной рассылки присоединяются через IP_ADD_MEMBERSHIP, а дальность запроса задаёт IP_MULTICAST_TTL.";
    BroadcastAnswers => "Servers that answered: {count}", "Ответивших серверов: {count}";
    ResponseFrom => "Response from {from} in {rtt}: {text}", "Ответ от {from} за {rtt}: {text}";
    FindNone => "No server answered on port {port} within {secs} (asked {asked})", "Ни один сервер не ответил на порту {port} за {secs} (запрос отправлен на {asked})";
    FindFound => "Servers that answered on port {port}: {count}", "Ответивших серверов на порту {port}: {count}";
    ErrUnmappable => "\"{ch}\" cannot be written in {encoding}: choose UTF-8 or remove it", "«{ch}» нельзя записать в {encoding}: выберите UTF-8 или уберите этот символ";
    Broadcast => "Broadcast", "Широковещательно";
    BroadcastHint => "Allow sending to a broadcast address such as 255.255.255.255 or 192.168.1.255 (SO_BROADCAST) and list every server that answers within the timeout.", "Разрешить отправку на широковещательный адрес, например 255.255.255.255 или 192.168.1.255 (SO_BROADCAST), и показать все серверы, ответившие за время ожидания.";
    EncodingLabel => "Encoding", "Кодировка";
    EncodingHint => "How text becomes bytes and back. Windows programs in Python 2.7 often send CP1251; bytes that do not decode show as \\xNN.", "Как текст становится байтами и обратно. Программы для Windows на Python 2.7 часто отправляют CP1251; байты, которые не декодируются, показаны как \\xNN.";
    FindServers => "Find servers", "Найти серверы";
    FindServersHint => "Send the message to the broadcast address of every network this computer is on, on the server address's port, and list who answers", "Отправить сообщение на широковещательный адрес каждой сети этого компьютера на порт из адреса сервера и показать, кто ответит";
    FindingServers => "Looking for servers on port {port}…", "Поиск серверов на порту {port}…";
    FindNoneHere => "No server answered on port {port} within {secs}", "Ни один сервер не ответил на порту {port} за {secs}";
    UseAsTarget => "Use as target", "Отправлять сюда";
    UseAsTargetName => "Use {addr} as the server address", "Использовать {addr} как адрес сервера";
    FilterIncoming => "Filter", "Фильтр";
    FilterIncomingHint => "Show only datagrams whose source address or text contains this", "Показывать только датаграммы, адрес отправителя или текст которых содержит это";
    FilterContains => "Source or text contains", "Адрес или текст содержит";
    FilterShowing => "{shown} of {total} shown", "Показано {shown} из {total}";
    BindChoices => "This computer's addresses", "Адреса этого компьютера";
    ReplyNotEncodable => "The reply is sent as UTF-8: {reason}", "Ответ отправляется в UTF-8: {reason}";
    OnlyThisComputer => "Only this computer can reach the server in this window: it is bound to {bind}. Bind it to 0.0.0.0 (or this computer's LAN address) for other computers.", "Сервер в этом окне доступен только с этого компьютера: он привязан к {bind}. Чтобы к нему могли обращаться другие компьютеры, привяжите его к 0.0.0.0 (или к адресу этого компьютера в локальной сети).";
    OtherFamilyAnswered => "Nothing listens on {tried}; the name also means {other}, which answered", "На {tried} никто не слушает; это имя означает и {other} — там ответили";
    JoinGroup => "Multicast group to join", "Группа многоадресной рассылки";
    JoinInterface => "on the interface with address", "на интерфейсе с адресом";
    JoinHint => "After bind the server joins this group (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP) and leaves it on Stop. Empty: no group. Bind to 0.0.0.0 or :: to hear it.", "После bind сервер присоединяется к этой группе (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP) и выходит из неё по «Остановить». Пусто — без группы. Чтобы её слышать, привяжите сервер к 0.0.0.0 или ::.";
    ErrNotMulticast => "{text} is not a multicast group (IPv4 224.0.0.0 to 239.255.255.255, IPv6 ff00::/8); try 239.1.2.3", "{text} — не группа многоадресной рассылки (IPv4 от 224.0.0.0 до 239.255.255.255, IPv6 ff00::/8); попробуйте 239.1.2.3";
    ErrJoinNeedsAll => "A server bound to {ip} does not hear the group {group}: bind it to {any}", "Сервер, привязанный к {ip}, не слышит группу {group}: привяжите его к {any}";
    ErrBadInterface => "{text} is not an IP address of an interface", "{text} — не IP-адрес интерфейса";
    ErrBadHex => "\"{text}\" is not a byte in hex: write pairs of 0-9 and a-f, such as 48 65 6c", "«{text}» — не байт в шестнадцатеричной записи: пишите пары из 0-9 и a-f, например 48 65 6c";
    // Issue 27 (helper C): TCP errors, calls and steps
    ErrTcpRefused => "Connection refused: nothing listens at {addr} (its kernel answered with a TCP RST, not ICMP)", "В соединении отказано: на {addr} никто не слушает (его ядро ответило TCP-пакетом RST, а не ICMP)";
    ErrTcpConnectTimedOut => "No answer to connect({addr}) within {secs}: the SYN went unanswered (a firewall may drop it, or the host is off)", "Нет ответа на connect({addr}) за {secs}: на SYN никто не ответил (его может отбрасывать межсетевой экран, или компьютер выключен)";
    ErrTcpReset => "The connection with {addr} was reset (an RST came): the peer closed it with unread data or ended abruptly", "Соединение с {addr} сброшено (пришёл RST): собеседник закрыл его, не дочитав данные, или аварийно завершился";
    ErrTcpTimeWait => "Port {port} is still held by connections of the last run in TIME_WAIT (about a minute after close); set SO_REUSEADDR before bind to listen anyway", "Порт {port} ещё занят соединениями прошлого запуска в состоянии TIME_WAIT (около минуты после закрытия); чтобы всё равно слушать, задайте SO_REUSEADDR до bind";
    ErrTcpTimeWaitReuse => "Port {port} is held by connections in TIME_WAIT of a run that did not set SO_REUSEADDR (Linux wants it on the old socket too): wait about a minute; from now on set it before every bind", "Порт {port} занят соединениями в TIME_WAIT от запуска, который не задавал SO_REUSEADDR (Linux требует его и у старого сокета): подождите около минуты; впредь задавайте его перед каждым bind";
    TcpTraceByte => "{n} byte", "{n} байт";
    TcpTraceBytes => "{n} bytes", "{n} байт";
    TcpTracePeerClosed => "b'' (the peer closed)", "b'' (собеседник закрыл соединение)";
    TcpTraceAccepted => "socket #{sock} from {addr}", "сокет №{sock} от {addr}";
    TcpTraceNothingWithin => "nothing within {secs}", "ничего за {secs}";
    TcpTraceSentPart => "{sent} of {asked} bytes sent, then error: {message}", "отправлено {sent} из {asked} байт, затем ошибка: {message}";
    TcpTraceAcceptPaused => "accept() waits: {open} connections are open (UDP Lab's limit; new ones wait in the backlog)", "accept() ждёт: открыто соединений — {open} (предел UDP Lab; новые ждут в очереди listen)";
    StepTcpServerSocket => "UDP Lab's TCP server, step 4 (the handout has no TCP part): socket.socket(AF_INET, SOCK_STREAM) creates a stream socket (TCP).", "TCP-сервер UDP Lab, пункт 4 (в методичке нет части о TCP): socket.socket(AF_INET, SOCK_STREAM) создаёт потоковый сокет (TCP).";
    StepTcpServerBind => "UDP Lab's TCP server, step 5: bind() ties the listening socket to the IP address and port.", "TCP-сервер UDP Lab, пункт 5: bind() привязывает слушающий сокет к IP-адресу и порту.";
    StepTcpServerListen => "UDP Lab's TCP server, step 6: listen(5). From now on the kernel completes the handshakes of connecting clients by itself; up to 5 wait for accept().", "TCP-сервер UDP Lab, пункт 6: listen(5). С этого момента ядро само завершает рукопожатия подключающихся клиентов; до 5 из них ждут accept().";
    StepTcpServerAccept => "UDP Lab's TCP server, step 8: accept() takes a connection whose handshake the kernel has done and returns a new socket for it; the listening socket goes on listening.", "TCP-сервер UDP Lab, пункт 8: accept() берёт соединение, рукопожатие которого уже выполнило ядро, и возвращает для него новый сокет; слушающий сокет продолжает слушать.";
    StepTcpServerRecv => "UDP Lab's TCP server, step 9: recv(1024) returns the bytes that have arrived, up to 1024 — not one message: several sends may come together, one send in parts. b'' means the client closed; step 10 ends the loop.", "TCP-сервер UDP Lab, пункт 9: recv(1024) возвращает пришедшие байты, не больше 1024, — а не одно сообщение: несколько send могут прийти вместе, один send — частями. b'' значит, что клиент закрыл соединение; пункт 10 завершает цикл.";
    StepTcpServerSend => "UDP Lab's TCP server, step 12: sendall() sends every byte of the answer (send() may send fewer than asked).", "TCP-сервер UDP Lab, пункт 12: sendall() отправляет все байты ответа (send() может отправить меньше, чем просили).";
    StepTcpServerClose => "UDP Lab's TCP server, step 13: conn.close() closes this connection's socket; the listening socket stays open.", "TCP-сервер UDP Lab, пункт 13: conn.close() закрывает сокет этого соединения; слушающий сокет остаётся открытым.";
    StepTcpListenerClose => "Not in UDP Lab's TCP server: it never closes its listening socket. UDP Lab closes it when you press Stop.", "Нет в TCP-сервере UDP Lab: он не закрывает слушающий сокет. UDP Lab закрывает его по кнопке «Остановить».";
    StepTcpClientSocket => "UDP Lab's TCP client, step 5 (the handout has no TCP part): socket.socket(AF_INET, SOCK_STREAM) creates a stream socket (TCP).", "TCP-клиент UDP Lab, пункт 5 (в методичке нет части о TCP): socket.socket(AF_INET, SOCK_STREAM) создаёт потоковый сокет (TCP).";
    StepTcpClientConnect => "UDP Lab's TCP client, step 6: connect() — the kernels do the three-way handshake (SYN, SYN-ACK, ACK). Refused means an RST came back: nothing listens there.", "TCP-клиент UDP Lab, пункт 6: connect() — ядра выполняют тройное рукопожатие (SYN, SYN-ACK, ACK). Отказ значит, что вернулся RST: там никто не слушает.";
    StepTcpClientSend => "UDP Lab's TCP client, step 7: sendall() sends the message. TCP may deliver it together with other sends or in parts.", "TCP-клиент UDP Lab, пункт 7: sendall() отправляет сообщение. TCP может доставить его вместе с другими send или частями.";
    StepTcpClientRecv => "UDP Lab's TCP client, step 8: recv(1024) in a loop until b'' (the server closed) or the timeout (settimeout()).", "TCP-клиент UDP Lab, пункт 8: recv(1024) в цикле, пока не придёт b'' (сервер закрыл соединение) или не истечёт тайм-аут (settimeout()).";
    StepTcpClientClose => "UDP Lab's TCP client, step 10: close() ends the connection: a FIN goes to the server, whose recv() then returns b''.", "TCP-клиент UDP Lab, пункт 10: close() завершает соединение: серверу уходит FIN, и его recv() затем возвращает b''.";
    StepTcpShutdown => "Not in UDP Lab's TCP programs: shutdown(SHUT_WR) says \"no more data from me\" (a FIN) while the socket still reads the answer.", "Нет в TCP-программах UDP Lab: shutdown(SHUT_WR) сообщает «больше данных от меня не будет» (FIN), а сокет продолжает читать ответ.";
    StepTcpReuseAddr => "Not in UDP Lab's TCP programs: SO_REUSEADDR before bind lets a restarted server listen while connections of its last run are still in TIME_WAIT.", "Нет в TCP-программах UDP Lab: SO_REUSEADDR до bind позволяет перезапущенному серверу слушать, пока соединения прошлого запуска ещё в TIME_WAIT.";
    StepTcpNotInPrograms => "Not a call of UDP Lab's TCP programs.", "Такого вызова нет в TCP-программах UDP Lab.";
    // Issue 14: tracing the student's script
    ScriptRun => "Run a Python script…", "Запустить скрипт Python…";
    ScriptRunShort => "Python…", "Python…";
    ScriptsTitle => "Python scripts", "Скрипты Python";
    ScriptPath => "Script", "Скрипт";
    ScriptPathHint => "The .py file to run; or drop one on the window", "Файл .py для запуска; можно перетащить его на окно";
    ScriptArgs => "Arguments", "Аргументы";
    ScriptArgsHint => "What the script finds in sys.argv[1:]: words, or \"quoted words\"", "То, что скрипт найдёт в sys.argv[1:]: слова или «слова в кавычках»";
    ScriptPython => "Python interpreter", "Интерпретатор Python";
    ScriptPythonHint => "Empty: python3 or python found on PATH", "Пусто: python3 или python из PATH";
    ScriptStart => "Run", "Запустить";
    ScriptRecent => "Recent", "Недавние";
    ScriptBrowse => "Browse…", "Обзор…";
    ScriptBrowseHint => "Choose the .py file in a list of this computer's folders", "Выбрать файл .py в списке папок этого компьютера";
    ScriptBrowseTitle => "Choose a Python script", "Выбор скрипта Python";
    ScriptBrowseUp => "Up", "Вверх";
    ScriptBrowseHome => "Home folder", "Домашняя папка";
    ScriptBrowseCancel => "Cancel", "Отмена";
    ScriptBrowseEmpty => "No folders or .py files here.", "Здесь нет папок и файлов .py.";
    ScriptBrowseMore => "{count} more not listed: type the path instead.", "Ещё {count} не показано: введите путь вручную.";
    ScriptBrowseUnreadable => "This folder cannot be read: {reason}", "Эту папку нельзя прочитать: {reason}";
    ScriptNone => "No script has run yet: choose a .py file, or drop one on the window.", "Скрипты ещё не запускались: выберите файл .py или перетащите его на окно.";
    ScriptStop => "Stop {file}", "Остановить {file}";
    ScriptRemove => "Remove {file}", "Убрать {file}";
    ScriptRunning => "{file}: running (pid {pid})", "{file}: работает (pid {pid})";
    ScriptExitCode => "{file}: ended, exit code {code}", "{file}: завершён, код выхода {code}";
    ScriptSignal => "{file}: ended by signal {signal}", "{file}: завершён сигналом {signal}";
    ScriptEnded => "{file}: ended", "{file}: завершён";
    ScriptStoppedNote => " (stopped)", " (остановлен)";
    ScriptInput => "Input for {file}", "Ввод для {file}";
    ScriptSendInput => "Send line", "Отправить строку";
    ScriptConsoleDropped => "({n} earlier lines not shown)", "({n} более ранних строк не показано)";
    ScriptErrPythonNotFound => "Python was not found: install it or choose the interpreter in Python scripts → Python interpreter", "Python не найден: установите его или укажите интерпретатор в «Скрипты Python» → «Интерпретатор Python»";
    ScriptErrInterpreter => "The interpreter {path} does not run ({reason}): choose another one", "Интерпретатор {path} не запускается ({reason}): выберите другой";
    ScriptErrMissing => "There is no script {path}: check the path", "Скрипта {path} нет: проверьте путь";
    ScriptErrIo => "Cannot start the script: {reason}", "Не удалось запустить скрипт: {reason}";
    TracedOk => "ok", "успешно";
    TracedBytes => "{n} bytes", "{n} байт";
    TracedBytesFrom => "{n} bytes from {addr}", "{n} байт от {addr}";
    TracedHad => " (the datagram had {len})", " (в датаграмме было {len})";
    TracedTimedOut => "timed out (socket.timeout)", "время ожидания истекло (socket.timeout)";
    TracedGcClose => "close() by the garbage collector (never called)", "close() сборщиком мусора (скрипт его не вызвал)";
    TracedStepSocket => "server step 4, client step 5", "шаг 4 сервера, шаг 5 клиента";
    TracedStepServer => "server step {n}", "шаг {n} сервера";
    TracedStepClient => "client step {n}", "шаг {n} клиента";
    DiagTruncated => "{site}: {lost} of {len} bytes were lost: the buffer is {buffer}. recvfrom({buffer}) keeps the first {buffer} bytes of a longer datagram and drops the rest without a word (Linux); on Windows Python raises OSError [WinError 10040] instead. Give recvfrom a buffer as large as the longest datagram (at most 65507).", "{site}: потеряно {lost} из {len} байт: буфер — {buffer}. recvfrom({buffer}) оставляет первые {buffer} байт длинной датаграммы, а остальное молча отбрасывает (Linux); в Windows Python вместо этого выбрасывает OSError [WinError 10040]. Дайте recvfrom буфер не меньше самой длинной датаграммы (не больше 65507).";
    DiagResetWindows => "{site}: recvfrom failed with ConnectionResetError [WinError 10054]: a client this server answered had already closed, and Windows reports the ICMP \"port unreachable\" that came back on the server's next recvfrom (Linux says nothing). Catch it around recvfrom (except socket.error / ConnectionResetError) and go on receiving.", "{site}: recvfrom завершился ошибкой ConnectionResetError [WinError 10054]: клиент, которому сервер ответил, уже закрылся, и Windows сообщает о вернувшемся ICMP «порт недостижим» при следующем recvfrom сервера (Linux ничего не говорит). Перехватите её вокруг recvfrom (except socket.error / ConnectionResetError) и продолжайте приём.";
    DiagTooLongWindows => "{site}: the datagram was longer than the buffer of {buffer} bytes: Windows raises OSError [WinError 10040] (Linux would drop the rest without a word). Give recvfrom a buffer as large as the longest datagram (at most 65507).", "{site}: датаграмма длиннее буфера в {buffer} байт: Windows выбрасывает OSError [WinError 10040] (Linux молча отбросил бы остаток). Дайте recvfrom буфер не меньше самой длинной датаграммы (не больше 65507).";
    DiagUndecodable => "{site}: decode() failed: these bytes are not {encoding}: {bytes}. They read as {fits}: \"{text}\", so the sender wrote {fits}: decode('{codec}') reads them, or have the sender use UTF-8. decode('utf-8', errors='replace') never fails.", "{site}: decode() не удался: эти байты — не {encoding}: {bytes}. В кодировке {fits} это «{text}», значит, отправитель писал в {fits}: их прочтёт decode('{codec}'), или пусть отправитель использует UTF-8. decode('utf-8', errors='replace') не падает никогда.";
    DiagUndecodableNoFit => "{site}: decode() failed: these bytes are not {encoding}: {bytes}. decode('utf-8', errors='replace') shows them with � instead of failing.", "{site}: decode() не удался: эти байты — не {encoding}: {bytes}. decode('utf-8', errors='replace') покажет их со знаком � вместо ошибки.";
    DiagWaitsForever => "{site}: {call}() has waited {secs} s with no timeout and waits forever: nothing has answered. settimeout(2) would let it give up.", "{site}: {call}() ждёт уже {secs} с без тайм-аута и будет ждать вечно: никто не ответил. settimeout(2) позволил бы ему сдаться.";
    DiagNothingListens => "{site}: nothing listens at {addr}, where the datagram went: start the server first, or check the address and port.", "{site}: по адресу {addr}, куда ушла датаграмма, никто не слушает: сначала запустите сервер или проверьте адрес и порт.";
    DiagAddrInUse => "{site}: bind({addr}) failed: Address already in use. Another socket holds this port{holder}: stop that program, or choose another port.", "{site}: bind({addr}) не удался: адрес уже занят. Этот порт держит другой сокет{holder}: остановите ту программу или выберите другой порт.";
    DiagAddrInUseHolder => " ({process}, pid {pid})", " ({process}, pid {pid})";
    DiagLoopbackOnly => "{site}: the datagram to {to} cannot arrive: the program on port {port}{holder} is bound to {bound} only. That is this computer only — other computers cannot reach it; bind '0.0.0.0' or your LAN address.", "{site}: датаграмма на {to} не дойдёт: программа на порту {port}{holder} привязана только к {bound}. Это только этот компьютер — другие компьютеры до неё не достучатся; привяжите '0.0.0.0' или свой адрес в локальной сети.";
    DiagSendStr => "{site}: sendto() takes bytes, and this is a str (TypeError: a bytes-like object is required): encode it: message.encode().", "{site}: sendto() принимает байты, а это str (TypeError: a bytes-like object is required): закодируйте: message.encode().";
    DiagUnclosed => "{site}: the socket made here was never closed: call close() when it is done (the system closed it when the script ended).", "{site}: созданный здесь сокет так и не закрыт: вызовите close(), когда он больше не нужен (система закрыла его, когда скрипт завершился).";
    DiagUncaught => "{site}: the script ended with an exception: {text}", "{site}: скрипт завершился исключением: {text}";
    DiagOtherPort => "{site}: the reply came from {from}, another port than the request went to ({to}): the server answers from a second socket. Answer with the socket that received the request.", "{site}: ответ пришёл с {from}, а не с порта, куда ушёл запрос ({to}): сервер отвечает со второго сокета. Отвечайте тем сокетом, который принял запрос.";
    // Issue 26, the window: save and open a lesson (helper B)
    LessonFile => "File", "Файл";
    LessonSave => "Save session", "Сохранить сеанс";
    LessonSaveHint => "Every call, datagram, script and setting into a .pcapng file in {dir}, named by the date. UDP Lab reopens it; Wireshark opens it too (the calls are in the packets' comments).", "Все вызовы, датаграммы, скрипты и настройки — в файл .pcapng в папке {dir}, с датой в имени. UDP Lab открывает его снова; Wireshark тоже (вызовы — в комментариях к пакетам).";
    LessonNothingToSave => "Nothing recorded yet: start the server or send first", "Пока ничего не записано: сначала запустите сервер или отправьте сообщение";
    LessonOpen => "Open…", "Открыть…";
    LessonOpenHint => "A lesson saved by UDP Lab, or any capture (.pcapng, .pcap) from Wireshark, tshark, dumpcap or tcpdump. You can also drop the file on the window.", "Сеанс, сохранённый UDP Lab, или любой захват (.pcapng, .pcap) из Wireshark, tshark, dumpcap или tcpdump. Файл можно и просто перетащить на окно.";
    LessonRecent => "Recent", "Недавние";
    LessonBrowseTitle => "Open a lesson or a capture", "Открыть сеанс или захват";
    LessonBrowseEmpty => "No folders or .pcapng, .pcap files here.", "Здесь нет папок и файлов .pcapng, .pcap.";
    LessonSaved => "Session saved: {path}", "Сеанс сохранён: {path}";
    LessonSaveFailed => "The session was not saved: {reason}", "Сеанс не сохранён: {reason}";
    LessonOpening => "Reading {file}…", "Читается {file}…";
    LessonCancel => "Cancel", "Отмена";
    LessonOpenFailed => "{file} was not opened: {reason} The session shown is as it was.", "{file} не открыт: {reason} Показанный сеанс не изменился.";
    LessonBannerSession => "Recording: {file} — saved {when}", "Запись: {file} — сохранена {when}";
    LessonBannerCapture => "Capture: {file} — {udp} UDP datagrams", "Захват: {file} — UDP-датаграмм: {udp}";
    LessonSkipped => "; {list} packets skipped", "; пропущено пакетов: {list}";
    LessonLeftOut => "; {n} datagrams beyond the session's limit left out", "; сверх предела сеанса не показано датаграмм: {n}";
    LessonEventsDropped => " ({n} earliest events were not kept when it was recorded)", " (самые ранние события при записи не сохранились: {n})";
    LessonBackToLive => "Back to live", "Вернуться к живому сеансу";
    LessonBackToLiveHint => "Closes the recording and shows the live session again (it went on meanwhile)", "Закрывает запись и снова показывает живой сеанс (он всё это время продолжался)";
    LessonBackedToLive => "Back to live: the recording {file} was closed for this action (File → Recent reopens it).", "Снова живой сеанс: запись {file} закрыта для этого действия (Файл → Недавние откроет её снова).";
    LessonCaptureNoCalls => "A capture has datagrams, not calls: see them in the sequence diagram, the datagram anatomy and the incoming list.", "В захвате есть датаграммы, но не вызовы: смотрите их на диаграмме последовательности, в анатомии датаграммы и в списке входящих.";
    // Issue 28 (helper I): the traced web server.
    DiagHttpNoEmptyLine => "{site}: the response's head has no empty line before the body: the browser reads \"{line}\" as one more header, not as the page. End the headers with an empty line: \"\\r\\n\\r\\n\" after the last header.", "{site}: в заголовке ответа нет пустой строки перед телом: браузер читает \"{line}\" как ещё один заголовок, а не как страницу. Завершите заголовки пустой строкой: \"\\r\\n\\r\\n\" после последнего заголовка.";
    DiagHttpNoEmptyLineClosed => "{site}: the connection closed before the response's head ended: no empty line (\"\\r\\n\\r\\n\") follows the headers, so the browser never gets to the page. Send an empty line after the last header.", "{site}: подключение закрыто, а заголовок ответа так и не закончился: после заголовков нет пустой строки (\"\\r\\n\\r\\n\"), и до страницы браузер не доходит. Отправьте пустую строку после последнего заголовка.";
    DiagHttpNoLengthOpen => "{site}: the response ({status}) has no Content-Length and the connection is still open while the script waits for the next one: the browser cannot know the page has ended and keeps waiting (an endless spinner). Send Content-Length: <bytes of the body>, or close the connection after the body.", "{site}: в ответе ({status}) нет Content-Length, а подключение всё ещё открыто, хотя скрипт уже ждёт следующее: браузер не может узнать, что страница закончилась, и продолжает ждать (бесконечная загрузка). Отправьте Content-Length: <байт в теле> или закройте подключение после тела.";
    DiagHttpNotClosed => "{site}: the connection accepted here answered {request}, and the script never closed it: each request leaves a socket open, and a browser waiting on it gets no end. Call connectionSocket.close() after the response.", "{site}: подключение, принятое здесь, ответило на {request}, но скрипт так его и не закрыл: каждый запрос оставляет открытый сокет, а ждущий на нём браузер не получает конца. Вызовите connectionSocket.close() после ответа.";
    DiagHttpNoNotFound => "{site}: the request {request} named a file that is not there, and nothing caught the error ({text}): the server died on it. Catch it (except IOError:) and send \"HTTP/1.1 404 Not Found\" with an empty line — browsers ask for /favicon.ico on their own.", "{site}: запрос {request} назвал файл, которого нет, и ошибку ничто не перехватило ({text}): сервер на ней завершился. Перехватите её (except IOError:) и отправьте \"HTTP/1.1 404 Not Found\" с пустой строкой — браузеры сами запрашивают /favicon.ico.";
    DiagHttpSendStr => "{site}: {call}() takes bytes, and this is a str (TypeError: a bytes-like object is required): in Python 3 encode the text first: {call}(text.encode()), or write b\"HTTP/1.1 200 OK\\r\\n\".", "{site}: {call}() принимает байты, а это str (TypeError: a bytes-like object is required): в Python 3 сначала закодируйте текст: {call}(text.encode()) или пишите b\"HTTP/1.1 200 OK\\r\\n\".";
    DiagHttpTextMode => "{site}: {path} was opened in text mode ('{mode}') at {opened}, and its bytes are no {encoding} text (an image, for example): reading it failed. Open files to serve in binary mode, open(name, 'rb'), and send their bytes as they are.", "{site}: {path} открыт в текстовом режиме ('{mode}') в {opened}, а его байты — не текст {encoding} (например, изображение): чтение не удалось. Открывайте раздаваемые файлы в двоичном режиме, open(name, 'rb'), и отправляйте их байты как есть.";
    DiagHttpDecoded => "{site}: the bytes of {path}, opened in binary mode ('{mode}') at {opened}, were decoded as {encoding} text here, and they are no {encoding} text (an image, for example): decoding failed. Send a file's bytes as read: the head as bytes, then the file, b'HTTP/1.1 200 OK\\r\\n...\\r\\n\\r\\n' + data, never head + data.decode().", "{site}: байты {path}, открытого в двоичном режиме ('{mode}') в {opened}, здесь декодируются как текст {encoding}, а они — не текст {encoding} (например, изображение): декодирование не удалось. Отправляйте байты файла как прочитаны: заголовок — байтами, затем файл, b'HTTP/1.1 200 OK\\r\\n...\\r\\n\\r\\n' + data, а не заголовок + data.decode().";
    DiagHttpPartialRequest => "{site}: recv() returned {read} bytes of the request, with no empty line yet (\"\\r\\n\\r\\n\" ends the head): the rest had not arrived. The script went on to {next}() at {next_site} with part of the request. Read until the bytes hold \"\\r\\n\\r\\n\".", "{site}: recv() вернул {read} байт запроса, а пустой строки (\"\\r\\n\\r\\n\" завершает заголовок) в них ещё нет: остальное не пришло. Скрипт перешёл к {next}() в {next_site} с частью запроса. Читайте, пока в байтах не появится \"\\r\\n\\r\\n\".";
    DiagHttpLowPort => "{site}: bind({addr}) was refused (Permission denied): ports below 1024, such as {port}, are for the administrator only. Use a port above 1023, such as 6789, and open http://127.0.0.1:6789/ in the browser.", "{site}: bind({addr}) отклонён (Permission denied): порты ниже 1024, как {port}, доступны только администратору. Возьмите порт выше 1023, например 6789, и откройте в браузере http://127.0.0.1:6789/.";
    // Tracer diagnoses (issue 23)
    DiagNeverBound => "{site}: {call}() on a socket that was never bound: no client can know its port — bind((address, port)) first, the handout's step 5.", "{site}: {call}() на сокете, который так и не связан (bind): ни один клиент не может узнать его порт — сначала bind((адрес, порт)), шаг 5 методички.";
    DiagReceivedThenEnded => "{site}: {by} received it at {at}, then ended with {exception}: no answer will come.", "{site}: {by} получил её в {at}, затем завершился с {exception}: ответа не будет.";
    DiagReceivedNoAnswer => "{site}: {by} received it at {at}, but no answer has come back.", "{site}: {by} получил её в {at}, но ответ не вернулся.";
    DiagReceivedByUdpLab => "{site}: UDP Lab's server received it, but no answer has come back.", "{site}: сервер UDP Lab её получил, но ответ не вернулся.";
    ScriptNotBoundThere => "{file} is running, but its socket is not bound to {port}: it receives on a port the system chose. bind((address, {port})) before recvfrom, the handout's step 5.", "{file} работает, но его сокет не связан с портом {port}: он принимает на порту, который выбрала система. Вызовите bind((адрес, {port})) перед recvfrom, шаг 5 методички.";
    ScriptStoppedByCtrlC => "{file}: stopped by Ctrl-C", "{file}: остановлен по Ctrl-C";
    ScriptKilledAfterCtrlC => "{file}: did not stop on Ctrl-C; killed", "{file}: не остановился по Ctrl-C; завершён принудительно";
    // Issue 26: files (lab::capture — saving and opening captures)
    CapIo => "The file {path} could not be read or written: {message}.", "Файл {path} не удалось прочитать или записать: {message}.";
    CapEmpty => "The file is empty (0 bytes): it holds no capture.", "Файл пуст (0 байт): в нём нет захвата.";
    CapNotACapture => "This is no pcap or pcapng capture: its first bytes are those of {what}.", "Это не захват pcap или pcapng: первые байты файла — как у {what}.";
    CapLooksPng => "a PNG image", "изображения PNG";
    CapLooksJpeg => "a JPEG image", "изображения JPEG";
    CapLooksGzip => "a gzip-compressed file (unpack it first)", "файла, сжатого gzip (сначала распакуйте его)";
    CapLooksZip => "a ZIP archive (unpack it first)", "архива ZIP (сначала распакуйте его)";
    CapLooksPdf => "a PDF document", "документа PDF";
    CapLooksText => "a text file", "текстового файла";
    CapLooksProgram => "a program", "программы";
    CapLooksUnknown => "no known kind of file", "файла неизвестного вида";
    CapTruncated => "The file ends at byte {at}, in the middle of {part}: it was cut short (copied or downloaded only in part?).", "Файл кончается на байте {at}, посреди {part}: он обрезан (скопирован или скачан не полностью?).";
    CapPartFileHeader => "the file header", "заголовка файла";
    CapPartBlockHeader => "a block header", "заголовка блока";
    CapPartBlock => "a block", "блока";
    CapPartPacket => "a packet", "пакета";
    CapCorrupt => "The file is damaged at byte {at}: {what}.", "Файл повреждён на байте {at}: {what}.";
    CapBadBlockLength => "a block says it is {length} bytes long, which no block can be", "блок указывает длину {length} байт, какой у блока быть не может";
    CapLengthPastEnd => "a block says it is {length} bytes long, but only {left} bytes of the file are left", "блок указывает длину {length} байт, но до конца файла осталось только {left} байт";
    CapLengthMismatch => "a block's length is {head} bytes at its start but {tail} at its end", "длина блока в начале — {head} байт, а в конце — {tail}";
    CapPacketTooLong => "a packet says it is {length} bytes long, more than any capture holds", "пакет указывает длину {length} байт — больше, чем бывает в захвате";
    CapUnknownInterface => "a packet names interface {id}, which no block describes", "пакет ссылается на интерфейс {id}, который не описан ни в одном блоке";
    CapBadByteOrder => "the section header's byte-order mark is wrong", "метка порядка байтов в заголовке секции неверна";
    CapBadBlock => "the fields of a {block} block do not fit in it", "поля блока {block} не умещаются в нём";
    CapBadLog => "UDP Lab's record of the session cannot be read ({message})", "запись сеанса UDP Lab не читается ({message})";
    CapMissingLogPart => "part {index} of {count} of UDP Lab's record of the session is missing", "нет части {index} из {count} записи сеанса UDP Lab";
    CapCancelled => "Opening the file was cancelled; nothing was changed.", "Открытие файла отменено; ничего не изменилось.";
    CapNoPackets => "The capture holds no packets.", "В захвате нет ни одного пакета.";
    CapNoUdp => "The capture holds no UDP datagrams: its {packets} packets are {skipped}.", "В захвате нет датаграмм UDP: его пакеты ({packets}) — это {skipped}.";
    CapTooNew => "The file is {what} version {version}, newer than this UDP Lab reads: update UDP Lab.", "Файл — {what} версии {version}, новее, чем читает этот UDP Lab: обновите UDP Lab.";
    CapOtherIp => "other IP", "другие IP";
    CapOtherEthernet => "other Ethernet", "другие Ethernet";
    CapOtherLink => "of an unknown link type", "неизвестного типа канала";
    CapMalformed => "malformed", "искажённые";
    CapFragments => "IP fragments never completed", "IP-фрагменты без пары";
    CapSkipped => "{list} packets skipped", "пропущено пакетов: {list}";
    CapCommentStep => "{side} step {step} {call}", "{side}, пункт {step}: {call}";
    CapCommentNoStep => "{side} {call}", "{side}: {call}";
    CapCommentServer => "server", "сервер";
    CapCommentClient => "client", "клиент";
    CapCommentScript => "script {name}", "скрипт {name}";
    CapCommentSendTo => "sendto({len} bytes → {to})", "sendto({len} байт → {to})";
    CapCommentRecvFrom => "recvfrom({buffer}) → {read} bytes", "recvfrom({buffer}) → {read} байт";
    CapCommentCut => "cut to {read} of {len} bytes", "обрезана до {read} из {len} байт";
    CapCommentDuplicated => "sent twice by UDP Lab's network simulator", "отправлена дважды симулятором сети UDP Lab";
    CapCommentDelayed => "held {ms} ms by UDP Lab's network simulator", "задержана на {ms} мс симулятором сети UDP Lab";
    CapCommentReordered => "held back by UDP Lab's network simulator so a later one overtakes it", "придержана симулятором сети UDP Lab, чтобы её обогнала следующая";
    AnatomyCapturedRight => "As captured: the checksum {value} is right for these bytes.", "Как в захвате: контрольная сумма {value} верна для этих байтов.";
    AnatomyCapturedWrong => "As captured, the checksum {value} is wrong: these bytes give {expected}. The datagram was damaged on the way; the receiver's OS drops such a datagram without a word, and recvfrom never sees it.", "В захвате контрольная сумма {value} неверна: эти байты дают {expected}. Датаграмма повреждена в пути; ОС получателя молча отбрасывает такую датаграмму, и recvfrom её не увидит.";
    AnatomyCapturedOffloaded => "The checksum {value} holds only the pseudo header's sum: the sender's network card fills in the rest (checksum offload) after the capture saw it. No error.", "Контрольная сумма {value} — только сумма псевдозаголовка: остальное досчитывает сетевая карта отправителя (checksum offload) уже после захвата. Это не ошибка.";
    AnatomyCapturedZero => "The checksum is 0: the sender computed none (allowed over IPv4).", "Контрольная сумма равна 0: отправитель её не вычислял (в IPv4 это разрешено).";
    AnatomyCapturedPartial => "The capture holds only part of the data: the checksum cannot be checked.", "В захвате только часть данных: контрольную сумму не проверить.";
    CapCommentGaveUp => "no answer: the client gave up", "ответа нет: клиент перестал ждать";
    // Issue 24 leftovers
    AnatomyHeaderRowTitle => "UDP header (RFC 768): 8 bytes in a row", "Заголовок UDP (RFC 768): 8 байт в строку";
    // Issue 29: the guide inside Help (lab/guide.rs, app/tools/guide.rs).
    HelpShortTab => "Keys and views", "Клавиши и вкладки";
    HelpGuideTab => "Guide", "Руководство";
    HelpGuideHint => "The guide for the student and the teacher, as in docs/guide.en.md", "Руководство для студента и преподавателя, как в docs/guide.ru.md";
    GuidePicture => "Picture: {alt}", "Рисунок: {alt}";
    GuidePictureHint => "The pictures are in the guide's file (docs/ next to the program's sources) and in the README.", "Рисунки — в файле руководства (docs/ рядом с исходниками программы) и в README.";
    GuideElsewhere => "{words} ({target}, in docs/)", "{words} ({target}, в docs/)";
    GuideFile => "{target} (in docs/)", "{target} (в docs/)";
    GuideTop => "↑ Contents", "↑ Содержание";
    // Issue 28, lead: the connection views before the first connection.
    HttpDiagramEmpty => "No connection yet: start the web server, then press Send in the client or open the page in a browser.", "Соединений пока нет: запустите веб-сервер, затем нажмите «Отправить» в клиенте или откройте страницу в браузере.";
}

/// Replaces `{name}` placeholders in a translated template.
impl T {
    /// A datagram longer than the buffer, as this OS treats it: Linux cuts
    /// it silently, Windows fails the call (UDP Lab still shows the bytes).
    pub const TRUNCATED: T = if cfg!(windows) {
        T::TruncatedWindows
    } else {
        T::Truncated
    };
}

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
        NetError::AddrInUse {
            addr,
            holder: Some(h),
        } => fill(
            t(T::ErrAddrInUseBy),
            &[("port", &addr.port()), ("name", &h.name), ("pid", &h.pid)],
        ),
        NetError::AddrInUse { addr, holder: None } => {
            fill(t(T::ErrAddrInUse), &[("port", &addr.port())])
        }
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
        NetError::HostUnreachable { addr } => fill(t(T::ErrHostUnreachable), &[("ip", &addr.ip())]),
        NetError::NetUnreachable { addr } => fill(t(T::ErrNetUnreachable), &[("ip", &addr.ip())]),
        NetError::Prohibited { addr } => fill(t(T::ErrProhibited), &[("addr", addr)]),
        NetError::NoAnswer { to, after } => fill(
            t(T::ErrNoAnswer),
            &[("secs", &secs(lang, *after)), ("port", &to.port())],
        ),
        NetError::BroadcastOff { addr } => fill(t(T::ErrBroadcastOff), &[("ip", &addr.ip())]),
        NetError::Refused { addr } => fill(t(T::ErrTcpRefused), &[("addr", addr)]),
        NetError::ConnectTimedOut { addr, after } => fill(
            t(T::ErrTcpConnectTimedOut),
            &[("addr", addr), ("secs", &secs(lang, *after))],
        ),
        NetError::Reset { addr } => fill(t(T::ErrTcpReset), &[("addr", addr)]),
        NetError::TimeWait { addr, reuse: false } => {
            fill(t(T::ErrTcpTimeWait), &[("port", &addr.port())])
        }
        NetError::TimeWait { addr, reuse: true } => {
            fill(t(T::ErrTcpTimeWaitReuse), &[("port", &addr.port())])
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

pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A template's `{name}` placeholders, sorted: both languages must
    /// have the same, or a value silently goes missing.
    pub(crate) fn placeholder_names(s: &str) -> Vec<String> {
        let mut v: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}'))
            .map(|(n, _)| n.to_owned())
            .collect();
        v.sort();
        v
    }

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
            assert_eq!(
                placeholder_names(key.get(Lang::En)),
                placeholder_names(key.get(Lang::Ru)),
                "{key:?}"
            );
        }
    }

    #[test]
    fn english_errors_match_the_net_layer_wording() {
        let a: std::net::SocketAddr = "127.0.0.1:9".parse().expect("literal");
        for e in [
            NetError::Unreachable { addr: a },
            NetError::AddrInUse {
                addr: a,
                holder: None,
            },
            NetError::AddrInUse {
                addr: a,
                holder: Some(crate::net::Holder {
                    name: "python3".into(),
                    pid: 4242,
                }),
            },
            NetError::HostUnreachable { addr: a },
            NetError::NetUnreachable { addr: a },
            NetError::Prohibited { addr: a },
            NetError::NoAnswer {
                to: a,
                after: std::time::Duration::from_secs(2),
            },
            NetError::BroadcastOff { addr: a },
            NetError::TimedOut {
                after: std::time::Duration::from_secs(2),
            },
            NetError::Addr(AddrError::PortOutOfRange("99999".into())),
        ] {
            assert_eq!(net_error(Lang::En, &e), e.to_string());
        }
    }

    /// A Russian text copied from the English one is a missing translation.
    /// The same text in both is fine only for names and acronyms ("UDP Lab",
    /// "Hex", "Wi-Fi": no word longer than three letters) and templates
    /// such as "{name}: {value}"; a longer name goes on the list on purpose.
    #[test]
    fn no_russian_text_is_left_in_english() {
        // A name, the same in every language.
        const SAME_IN_BOTH: &[T] = &[T::ScriptRunShort];
        for key in T::ALL {
            let (en, ru) = (key.get(Lang::En), key.get(Lang::Ru));
            if en != ru || SAME_IN_BOTH.contains(key) {
                continue;
            }
            // The words outside {placeholders}.
            let outside: String = en
                .split('{')
                .map(|part| part.split_once('}').map_or(part, |(_, rest)| rest))
                .collect::<Vec<_>>()
                .join(" ");
            let long_word = outside
                .split(|c: char| !c.is_alphabetic())
                .find(|w| w.chars().count() > 3);
            assert!(long_word.is_none(), "{key:?} is not translated: {ru:?}");
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
