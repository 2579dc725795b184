//! The command line's own strings (its help, its refusals, its ping-style
//! lines and statistics, clap's headings and errors) and the CSV export's
//! values, in English and Russian, by the same `texts!` macro as the
//! window's table. Where the window already says a thing, the CLI uses the
//! window's sentence from [`super::T`] instead of a second one here.

use std::time::Duration;

use super::Lang;

texts! { enum C;
    // The help (clap's about and each argument's help).
    AppAbout => "Makes UDP visible: a UDP server and client in one window.", "Делает UDP видимым: UDP-сервер и клиент в одном окне.";
    AppLongAbout => "Makes UDP visible: a UDP server and client in one window.\n\nWith no subcommand UDP Lab opens its window. `server` and `client` run without a window and print the same lines as the socket lab's scripts.", "Делает UDP видимым: UDP-сервер и клиент в одном окне.\n\nБез команды UDP Lab открывает окно. `server` и `client` работают без окна и выводят те же строки, что и скрипты лабораторной работы по сокетам.";
    HelpBind => "Window: the server's bind address (default 127.0.0.1:12345).", "Окно: адрес привязки сервера (по умолчанию 127.0.0.1:12345).";
    HelpStartServer => "Window: start the server at once (a desktop shortcut for a demo).", "Окно: сразу запустить сервер (ярлык на рабочем столе для демонстрации).";
    HelpSend => "Window: send the message once (after the server listens, with --start-server).", "Окно: отправить сообщение один раз (с --start-server — когда сервер начнёт слушать).";
    HelpPresentation => "Window: start in presentation mode (larger text, thicker lines, high contrast), for a projector.", "Окно: запуститься в режиме презентации (крупнее текст, толще линии, высокий контраст) — для проектора.";
    HelpLang => "The language of the window and of the command line: its messages, errors and help (default: the system's, from LC_ALL, LC_MESSAGES or LANG).", "Язык окна и командной строки: сообщений, ошибок и справки (по умолчанию — системный, из LC_ALL, LC_MESSAGES или LANG).";
    HelpDemoStepByStep => "Window: start the server, then the demo (20 datagrams at 30 % loss) played back one call a second (a desktop shortcut for a class).", "Окно: запустить сервер, затем демо (20 датаграмм при 30 % потерь), воспроизводимое по одному вызову в секунду (ярлык на рабочем столе для занятия).";
    HelpView => "Window: the teaching view to show (default: the one last shown).", "Окно: какой учебный вид показать (по умолчанию — последний показанный).";
    HelpProtocol => "Window: both panels' protocol (default: the one last chosen). With http, --bind is the web server's address (default 127.0.0.1:6789) and --to the page's host.", "Окно: протокол обеих панелей (по умолчанию — последний выбранный). С http --bind — адрес веб-сервера (по умолчанию 127.0.0.1:6789), а --to — хост страницы.";
    HelpTo => "Window: the client's server address (default 127.0.0.1:12345).", "Окно: адрес сервера для клиента (по умолчанию 127.0.0.1:12345).";
    HelpRunScript => "Window: trace this Python script at once, as Run in the Python scripts window does (with --send: send once the script has bound).", "Окно: сразу трассировать этот скрипт Python, как кнопка «Запустить» в окне «Скрипты Python» (с --send — отправить, когда скрипт привяжет сокет).";
    HelpScriptArgs => "Window: the --run-script script's arguments, as one string (\"127.0.0.1 12345\").", "Окно: аргументы скрипта из --run-script одной строкой (\"127.0.0.1 12345\").";
    ServerAbout => "Run the lab's server without a window: print each message and answer it.", "Запустить сервер из лабораторной без окна: выводить каждое сообщение и отвечать на него.";
    HelpServerBind => "Address and port to bind (port 0: any free port).", "Адрес и порт для привязки (порт 0 — любой свободный).";
    HelpReply => "Text to answer every datagram with.", "Текст ответа на каждую датаграмму.";
    HelpEcho => "Send each datagram back as it came.", "Отправлять каждую датаграмму обратно как есть.";
    HelpNoReply => "Receive only, never answer.", "Только принимать, никогда не отвечать.";
    HelpServerBuffer => "recvfrom's buffer size in bytes (1-65508); longer datagrams are truncated.", "Размер буфера recvfrom в байтах (1-65508); более длинные датаграммы обрезаются.";
    HelpJoin => "Join this multicast group (IPv4 224.0.0.0/4, e.g. 239.1.2.3, or IPv6 ff0x::…) after bind, and leave it on stop. Bind to 0.0.0.0:PORT (or [::]:PORT): a socket bound to one address does not hear the group.", "После bind присоединиться к этой группе многоадресной рассылки (IPv4 224.0.0.0/4, например 239.1.2.3, или IPv6 ff0x::…) и выйти из неё при остановке. Привязывайте к 0.0.0.0:ПОРТ (или [::]:ПОРТ): сокет, привязанный к одному адресу, группу не слышит.";
    HelpInterface => "The address of the interface to join the group on (default: the one the routing table picks for IPv4, the first with an IPv6 address for IPv6).", "Адрес интерфейса, на котором присоединиться к группе (по умолчанию для IPv4 — тот, что выберет таблица маршрутизации, для IPv6 — первый с IPv6-адресом).";
    HelpServerEncoding => "How messages are printed and the reply is sent: utf-8, cp1251, cp866, koi8-r, latin-1 or hex. Bytes that do not decode print as \\xNN.", "Как выводятся сообщения и отправляется ответ: utf-8, cp1251, cp866, koi8-r, latin-1 или hex. Байты, которые не декодируются, выводятся как \\xNN.";
    ClientAbout => "Send one message as the lab's client does and print the answer; with --count, send a burst and print statistics like ping.", "Отправить одно сообщение, как клиент из лабораторной, и вывести ответ; с --count — отправить серию и вывести статистику, как ping.";
    HelpClientTo => "The server's address and port (default 127.0.0.1:12345; with --broadcast 255.255.255.255:12345). A multicast group (239.1.2.3:12345) collects every member's answer.", "Адрес и порт сервера (по умолчанию 127.0.0.1:12345; с --broadcast — 255.255.255.255:12345). Группа многоадресной рассылки (239.1.2.3:12345) собирает ответы всех участников.";
    HelpBroadcast => "Allow sending to a broadcast address (SO_BROADCAST) and print every server that answers within the timeout, one line each.", "Разрешить отправку на широковещательный адрес (SO_BROADCAST) и вывести все серверы, ответившие за время ожидания, по одному в строке.";
    HelpTtl => "Multicast: how many routers the request may cross (IP_MULTICAST_TTL, 0-255; the OS's default is 1, this network only).", "Многоадресная рассылка: через сколько маршрутизаторов может пройти запрос (IP_MULTICAST_TTL, 0-255; по умолчанию в ОС — 1, только эта сеть).";
    HelpNoMulticastLoop => "Multicast: members on this computer do not hear the request (IP_MULTICAST_LOOP 0).", "Многоадресная рассылка: участники на этом компьютере не слышат запрос (IP_MULTICAST_LOOP 0).";
    HelpClientEncoding => "How the message is sent and the answer printed: utf-8, cp1251, cp866, koi8-r, latin-1 or hex (the message as hex pairs).", "Как отправляется сообщение и выводится ответ: utf-8, cp1251, cp866, koi8-r, latin-1 или hex (сообщение парами шестнадцатеричных цифр).";
    HelpClientTimeout => "Seconds to wait for the answer, 0.001-3600 (fractions allowed, e.g. 0.05; \"50ms\" works too).", "Сколько секунд ждать ответа, 0,001-3600 (можно дробное, например 0,05; подойдёт и \"50ms\").";
    HelpClientBuffer => "recvfrom's buffer size in bytes (1-65508).", "Размер буфера recvfrom в байтах (1-65508).";
    HelpCount => "Datagrams to send (1-1000000), each waiting for its answer (or the timeout) before the interval and the next; prints a line per datagram and ping-style statistics.", "Сколько датаграмм отправить (1-1000000); каждая ждёт ответа (или тайм-аута), затем интервал и следующая; выводится строка на датаграмму и статистика, как у ping.";
    HelpInterval => "Milliseconds between one answer (or timeout) and the next send, 0-60000 (fractions allowed; \"0.5s\" works too).", "Миллисекунды между ответом (или тайм-аутом) и следующей отправкой, 0-60000 (можно дробное; подойдёт и \"0.5s\").";
    HelpClientMessage => "The message to send.", "Сообщение для отправки.";
    HelpLoss => "Simulator: percent of datagrams dropped before sendto (0-100).", "Симулятор: процент датаграмм, отбрасываемых до sendto (0-100).";
    HelpDelay => "Simulator: milliseconds each datagram is held back before sendto (0-10000).", "Симулятор: на сколько миллисекунд задерживать каждую датаграмму перед sendto (0-10000).";
    HelpJitter => "Simulator: the delay varies by up to plus or minus this many ms (0-10000).", "Симулятор: задержка меняется на столько мс в плюс или в минус (0-10000).";
    HelpDuplicate => "Simulator: percent of datagrams sent twice (0-100).", "Симулятор: процент датаграмм, отправляемых дважды (0-100).";
    HelpReorder => "Simulator: percent of datagrams held back until the next has gone (0-100).", "Симулятор: процент датаграмм, задерживаемых до отправки следующей (0-100).";
    HelpSeed => "Simulator: the random seed; the same seed gives the same pattern.", "Симулятор: сид (зерно генератора случайных чисел); один и тот же сид даёт одну и ту же картину.";
    FindAbout => "Find the servers in this room: send the lab's \"Hello, server\" to the broadcast address of every IPv4 interface and list who answered.", "Найти серверы в этой аудитории: отправить \"Hello, server\" из лабораторной на широковещательный адрес каждого интерфейса IPv4 и перечислить ответивших.";
    HelpFindPort => "The servers' port (1-65535).", "Порт серверов (1-65535).";
    HelpFindTimeout => "Seconds to wait for answers (0.001-3600).", "Сколько секунд ждать ответов (0,001-3600).";
    HelpFindMessage => "The message to send.", "Сообщение для отправки.";
    TraceAbout => "Run your own Python script and print its output interleaved with its socket calls (file:line, arguments, result) and the mistakes they show. The exit code is the script's.", "Запустить ваш скрипт Python и выводить его вывод вперемешку с его вызовами сокетов (файл:строка, аргументы, результат) и ошибками, которые они показывают. Код выхода — код скрипта.";
    HelpPython => "The Python interpreter (default: python3 or python on PATH).", "Интерпретатор Python (по умолчанию python3 или python из PATH).";
    HelpScript => "The script to run, e.g. server.py.", "Скрипт для запуска, например server.py.";
    HelpScriptArgsTrace => "The script's own arguments (its sys.argv[1:]).", "Собственные аргументы скрипта (его sys.argv[1:]).";
    // clap's own words, where clap lets them be replaced.
    HelpFlag => "Print help", "Показать справку";
    HelpFlagMore => "Print help (see more with '--help')", "Показать справку (подробнее: '--help')";
    HelpFlagSummary => "Print help (see a summary with '-h')", "Показать справку (кратко: '-h')";
    VersionFlag => "Print version", "Показать версию";
    HelpCommand => "Print this message or the help of the given subcommand(s)", "Показать эту справку или справку по командам";
    HelpCommandArg => "Print help for the subcommand(s)", "Показать справку по командам";
    UsageHeading => "Usage:", "Использование:";
    OptionsHeading => "Options", "Параметры";
    ArgumentsHeading => "Arguments", "Аргументы";
    CommandsHeading => "Commands", "Команды";
    OptionsPlaceholder => "[OPTIONS]", "[ПАРАМЕТРЫ]";
    CommandPlaceholder => "[COMMAND]", "[КОМАНДА]";
    DefaultValue => "[default: {value}]", "[по умолчанию: {value}]";
    PossibleValues => "[possible values: {values}]", "[возможные значения: {values}]";
    // The placeholders for values in the help and the refusals (<ADDR>).
    ValueAddr => "ADDR", "АДРЕС";
    ValueText => "TEXT", "ТЕКСТ";
    ValueEncoding => "ENC", "КОДИРОВКА";
    ValueGroup => "GROUP", "ГРУППА";
    ValueSecs => "SECS", "СЕК";
    ValueMs => "MS", "МС";
    ValuePercent => "P", "ПРОЦЕНТ";
    ValueSeed => "S", "СИД";
    ValueCount => "N", "ЧИСЛО";
    ValuePath => "PATH", "ПУТЬ";
    ValueArgs => "ARGS", "АРГУМЕНТЫ";
    ValueMessage => "MESSAGE", "СООБЩЕНИЕ";
    ValueScript => "SCRIPT", "СКРИПТ";
    ValueLang => "LANG", "ЯЗЫК";
    ValueView => "VIEW", "ВИД";
    // Issue 28: the web server and client (helper F; src/cli/http.rs).
    HelpHttpServer => "Serve web pages instead of answering UDP: UDP Lab's web server (GET and HEAD, one request per connection), on 127.0.0.1:6789 unless --bind says otherwise.", "Раздавать веб-страницы вместо ответов по UDP: веб-сервер UDP Lab (GET и HEAD, один запрос на соединение), на 127.0.0.1:6789, если --bind не задаёт другое.";
    HelpHttpRoot => "With --http: the folder to serve (default: the built-in HelloWorld.html and its picture). Only files inside it are served; nothing is ever run.", "С --http: раздаваемая папка (по умолчанию — встроенная HelloWorld.html с картинкой). Отдаются только файлы внутри неё; ничего не запускается.";
    HelpHttpUrl => "Send one HTTP GET to this address (http://host:port/path) instead of a UDP message; print the status line, the headers and the body.", "Отправить один HTTP-запрос GET на этот адрес (http://узел:порт/путь) вместо сообщения UDP; вывести строку состояния, заголовки и тело.";
    HelpHttpHeader => "With --http: an extra request header, 'Name: value' (may be given several times).", "С --http: дополнительный заголовок запроса, 'Имя: значение' (можно указать несколько раз).";
    ValueUrl => "URL", "АДРЕС";
    ValueHeader => "HEADER", "ЗАГОЛОВОК";
    ValueDir => "DIR", "ПАПКА";
    HttpServing => "Serving {root} on http://{addr}/", "Раздаю {root} на http://{addr}/";
    HttpBuiltinSite => "the built-in HelloWorld.html", "встроенную HelloWorld.html";
    HttpLogLine => "{time} {peer} {method} {target} → {status} {reason}, {bytes} bytes sent", "{time} {peer} {method} {target} → {status} {reason}, отправлено байт: {bytes}";
    HttpLogNoRequest => "{time} {peer} → {status} {reason}, {bytes} bytes sent", "{time} {peer} → {status} {reason}, отправлено байт: {bytes}";
    HttpBinaryBody => "({len} bytes of {mime}: not text, not printed)", "({mime}, байт: {len} — не текст, не выводится)";
    HttpRootNotDir => "--root: \"{path}\" is not a folder that can be opened ({reason}). Give the folder with the pages to serve.", "--root: \"{path}\" — не папка, которую можно открыть ({reason}). Укажите папку со страницами для раздачи.";
    HttpNeedsFlag => "{flag} goes with --http (the web server or client); without --http the command speaks UDP.", "{flag} используется вместе с --http (веб-сервер или клиент); без --http команда работает по UDP.";
    // Issue 28 (helper I): the traced web server's requests.
    TraceHttpExchange => "  = connection #{sock} from {peer}: {request} → {status}", "  = подключение #{sock} от {peer}: {request} → {status}";
    TraceHttpNoRequest => "(no request line)", "(нет строки запроса)";
    TraceHttpNoResponse => "no response", "ответа нет";
    // clap's errors (the English is clap's own wording).
    ErrorHeading => "error:", "ошибка:";
    ClapInvalidValue => "invalid value '{value}' for '{arg}'", "недопустимое значение '{value}' для '{arg}'";
    ClapValueRequired => "a value is required for '{arg}' but none was supplied", "для '{arg}' нужно значение, а оно не указано";
    ClapUnknownArgument => "unexpected argument '{arg}' found", "неизвестный аргумент '{arg}'";
    ClapUnknownSubcommand => "unrecognized subcommand '{arg}'", "неизвестная команда '{arg}'";
    ClapConflict => "the argument '{arg}' cannot be used with '{other}'", "аргумент '{arg}' нельзя использовать вместе с '{other}'";
    ClapConflictMany => "the argument '{arg}' cannot be used with one or more of the other specified arguments", "аргумент '{arg}' нельзя использовать вместе с другими указанными аргументами";
    ClapRepeated => "the argument '{arg}' cannot be used multiple times", "аргумент '{arg}' можно указать только один раз";
    ClapMissing => "the following required arguments were not provided:", "не указаны обязательные аргументы:";
    ClapMissingSubcommand => "'{arg}' requires a subcommand but one was not provided", "'{arg}' требует команду, а она не указана";
    ClapTooManyValues => "unexpected value '{value}' for '{arg}' found; no more were expected", "лишнее значение '{value}' для '{arg}'";
    ClapWrongValues => "wrong number of values for '{arg}'", "неверное число значений для '{arg}'";
    ClapNoEquals => "equal sign is needed when assigning values to '{arg}'", "значение для '{arg}' указывается через знак равенства";
    ClapInvalidUtf8 => "invalid UTF-8 was detected in one or more arguments", "в аргументах обнаружены байты не в UTF-8";
    ClapOther => "the command line could not be read", "не удалось разобрать командную строку";
    ClapSimilar => "tip: a similar {what} exists: '{name}'", "подсказка: есть похожий вариант ({what}): '{name}'";
    ClapSimilarArgument => "argument", "аргумент";
    ClapSimilarSubcommand => "subcommand", "команда";
    ClapSimilarValue => "value", "значение";
    ClapTip => "tip:", "подсказка:";
    ClapPassAsValue => "to pass '{value}' as a value, use '-- {value}'", "чтобы передать '{value}' как значение, используйте '-- {value}'";
    ClapTryHelp => "For more information, try '{help}'.", "Подробнее: '{help}'.";
    // The knobs' refusals (cli/args.rs): what is wrong, then the knob's range.
    NotANumber => "\"{text}\" is not a number", "«{text}» — не число";
    TooLarge => "{text} is too large", "{text} — слишком много";
    TooSmall => "{text} is too small", "{text} — слишком мало";
    TooLargeAtMost => "{text} is too large: at most {max}", "{text} — слишком много: не больше {max}";
    TooSmallAtLeast => "{text} is too small: at least {min}", "{text} — слишком мало: не меньше {min}";
    NotWhole => "{text} is not a whole number", "{text} — не целое число";
    NotWholeMs => "{text} is not a whole number of milliseconds", "{text} — не целое число миллисекунд";
    NotBetween => "{text} is not between 0 and 100", "{text} — не от 0 до 100";
    KnobPercent => "{knob} takes a percentage from 0 to 100", "{knob} принимает процент от 0 до 100";
    KnobRange => "{knob} takes {min} to {max}", "{knob} принимает значения от {min} до {max}";
    BufferNeedsRoom => "recvfrom needs room for at least 1 byte", "recvfrom нужно место хотя бы для 1 байта";
    PortZeroNoServer => "port 0 is no server's port (it means \"any free port\" when binding)", "порт 0 не может быть портом сервера (при привязке он означает «любой свободный»)";
    UnknownEncoding => "\"{text}\" is not an encoding UDP Lab knows; choose one of {names}", "«{text}» — неизвестная UDP Lab кодировка; выберите одну из: {names}";
    JoinNotIp => "\"{text}\" is not an IP address; --join takes a multicast group such as 239.1.2.3", "«{text}» — не IP-адрес; --join принимает группу многоадресной рассылки, например 239.1.2.3";
    // What the client prints for a burst (ping's lines and statistics).
    PingAnswer => "{len} bytes from {from}: seq={seq} time={ms}", "{len} байт от {from}: seq={seq} время={ms}";
    PingDropped => "seq={seq} dropped by the simulator", "seq={seq} отброшено симулятором";
    PingNoAnswer => "seq={seq} no answer within {secs}", "seq={seq} нет ответа за {secs}";
    PingHeldBack => "seq={seq} no answer within {secs} (held back by the simulator until the next one overtakes it)", "seq={seq} нет ответа за {secs} (симулятор придержал её, пока следующая не обгонит)";
    PingFailed => "seq={seq} {error}", "seq={seq} {error}";
    StatsHeader => "--- {target} UDP statistics ---", "--- статистика UDP для {target} ---";
    StatsSummary => "{sent} sent, {answered} answered, {percent}% lost", "отправлено {sent}, ответов {answered}, потеряно {percent}%";
    StatsSimulator => " ({dropped} dropped by the simulator, {lost} lost by the network)", " (симулятор отбросил {dropped}, сеть потеряла {lost})";
    StatsOtherSource => "; {count} answered from another address or port", "; с другого адреса или порта ответили: {count}";
    StatsRtt => "rtt min/avg/p99/max = {min}/{avg}/{p99}/{max} ms", "rtt мин./сред./p99/макс. = {min}/{avg}/{p99}/{max} мс";
    FoundServer => "{from}\t{ms}\t{text}", "{from}\t{ms}\t{text}";
    Milliseconds => "{ms} ms", "{ms} мс";
    // `udp-lab trace`: how the script ended.
    ScriptEndedLine => "{file} ended: {how}", "{file} завершён: {how}";
    ScriptExitCode => "exit code {code}", "код выхода {code}";
    ScriptSignal => "ended by signal {signal}", "по сигналу {signal}";
    ScriptEndedPlain => "ended", "завершён";
    ScriptStopped => " (stopped)", " (остановлен)";
    PythonNotFound => "Python was not found: install it or choose the interpreter in Settings (udp-lab trace --python PATH)", "Python не найден: установите его или укажите интерпретатор (udp-lab trace --python ПУТЬ)";
    // TCP (issue 27, helper C): `udp-lab server --tcp`, `udp-lab client --tcp`.
    HelpTcpServer => "TCP instead of UDP: listen(), accept every connection, print and answer each recv(), close a connection when its client closes.", "TCP вместо UDP: listen(), принимать каждое соединение, выводить каждый recv() и отвечать на него, закрывать соединение, когда его закроет клиент.";
    HelpBacklog => "TCP: listen()'s backlog, how many connections the kernel completes and keeps waiting for accept() (1-4096).", "TCP: очередь listen() — сколько соединений ядро устанавливает и держит в ожидании accept() (1-4096).";
    HelpReuseAddr => "TCP: set SO_REUSEADDR before bind, so a restarted server can listen while connections of its last run are still in TIME_WAIT.", "TCP: задать SO_REUSEADDR до bind, чтобы перезапущенный сервер мог слушать, пока соединения прошлого запуска ещё в TIME_WAIT.";
    HelpTcpClient => "TCP instead of UDP: connect(), send the message, read until the server closes (b'') or nothing comes for the timeout, close().", "TCP вместо UDP: connect(), отправить сообщение, читать, пока сервер не закроет соединение (b'') или ничего не придёт за время ожидания, close().";
    HelpPieces => "TCP: send the message in this many pieces (1-1000), each with sendall(), to see the server's recv() join or split them.", "TCP: отправить сообщение столькими частями (1-1000), каждую через sendall(), чтобы увидеть, как recv() сервера их склеивает или делит.";
    HelpPieceDelay => "TCP: milliseconds between two pieces (0-60000).", "TCP: миллисекунды между двумя частями (0-60000).";
    HelpShutdown => "TCP: shutdown(SHUT_WR) after the last piece: the server reads b'' and may close at once.", "TCP: shutdown(SHUT_WR) после последней части: сервер прочитает b'' и сможет сразу закрыть соединение.";
    TcpNoSimulator => "the network simulator acts on UDP datagrams; with {protocol} it does not apply (the kernel retransmits what is lost and keeps the order). Leave out {flags}.", "симулятор сети действует на UDP-датаграммы; с {protocol} он неприменим (ядро само повторяет потерянное и сохраняет порядок). Уберите {flags}.";
    TcpConnectionFrom => "Connection from {addr}", "Соединение от {addr}";
    TcpConnectionClosed => "Connection from {addr} closed: {read} bytes read, {sent} bytes sent", "Соединение от {addr} закрыто: прочитано байт — {read}, отправлено — {sent}";
    TcpServerFull => "{open} connections are open: new ones wait in the backlog until one closes", "Открыто соединений — {open}: новые ждут в очереди listen, пока одно не закроется";
    TcpSentPieces => "sent {n} pieces: {sizes} bytes", "отправлено частей — {n}: {sizes} байт";
    TcpReadAs => "read by {n} recv() calls: {sizes} bytes", "прочитано вызовами recv() — {n}: {sizes} байт";
    // The window from the command line (main.rs).
    IconNotLoaded => "the window icon did not load: {reason}", "не удалось загрузить значок окна: {reason}";
    NoWindow => "cannot open the window: {reason}", "не удалось открыть окно: {reason}";
    NoWindowHint => "(Without a display, use `udp-lab server` or `udp-lab client`.)", "(Без дисплея используйте `udp-lab server` или `udp-lab client`.)";
    // Issue 26, the command line: save and show a lesson (helper B)
    HelpSaveWindow => "Window: when the window closes, save its session to this .pcapng file (UDP Lab and Wireshark open it).", "Окно: при закрытии окна сохранить его сеанс в этот файл .pcapng (его открывают UDP Lab и Wireshark).";
    HelpOpenFile => "Window: open this lesson (a .pcapng saved by UDP Lab) or capture (.pcap, .pcapng from Wireshark, tshark, dumpcap or tcpdump).", "Окно: открыть этот сеанс (.pcapng, сохранённый UDP Lab) или захват (.pcap, .pcapng из Wireshark, tshark, dumpcap или tcpdump).";
    HelpSave => "When the command ends (Ctrl-C too), save its session to this .pcapng file: UDP Lab and Wireshark open it.", "Когда команда завершится (и по Ctrl-C), сохранить её сеанс в этот файл .pcapng: его открывают UDP Lab и Wireshark.";
    ShowAbout => "Print a lesson saved by UDP Lab, or any capture, in a terminal: its socket calls as the window lists them, or one line per UDP datagram.", "Вывести в терминал сеанс, сохранённый UDP Lab, или любой захват: его вызовы сокетов, как их показывает окно, или по строке на каждую UDP-датаграмму.";
    HelpShowFile => "The .pcapng or .pcap file.", "Файл .pcapng или .pcap.";
    SessionSaved => "session saved: {path} ({packets} packets)", "сеанс сохранён: {path} (пакетов: {packets})";
    SessionTcpKept => "its {count} TCP connection(s) are kept as UDP Lab's calls: open the file in UDP Lab to see them; Wireshark shows no TCP packets in it", "его TCP-соединения ({count}) сохранены как вызовы UDP Lab: откройте файл в UDP Lab, чтобы их увидеть; Wireshark TCP-пакетов в нём не покажет";
    SessionNotSaved => "the session was not saved: {reason}", "сеанс не сохранён: {reason}";
    NoSuchFile => "there is no file {path}. Give the path of a lesson or capture to open; the commands are server, client, find, trace and show.", "файла {path} нет. Укажите путь к сеансу или захвату, который нужно открыть; команды — server, client, find, trace и show.";
    ShowSession => "{file}: saved by UDP Lab {when}; {calls} socket calls, {datagrams} datagrams", "{file}: сохранён UDP Lab {when}; вызовов сокетов: {calls}, датаграмм: {datagrams}";
    ShowCapture => "{file}: {udp} UDP datagrams in {packets} packets", "{file}: всего пакетов: {packets}, из них UDP-датаграмм: {udp}";
    ShowSkipped => "; skipped: {list}", "; пропущено: {list}";
    ShowLeftOut => "; {n} datagrams beyond the limit left out", "; сверх предела не показано датаграмм: {n}";
    ValueFile => "FILE", "ФАЙЛ";
    ShowNoCalls => "(a capture has datagrams, not calls)", "(в захвате есть датаграммы, но не вызовы)";
    // The CSV export's values (lab/export.rs); its column names stay English.
    CsvRequest => "request", "запрос";
    CsvReply => "reply", "ответ";
    CsvTruncated => "truncated: read {read} of {len} bytes (buffer {buffer})", "обрезано: прочитано {read} из {len} байт (буфер {buffer})";
}

/// A number as the language writes it: "0.5" / "0,5".
pub fn decimal(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => text.to_owned(),
        Lang::Ru => text.replace('.', ","),
    }
}

/// A round-trip time to the microsecond: "0.123 ms" / "0,123 мс".
pub fn millis(lang: Lang, d: Duration) -> String {
    let ms = format!("{:.3}", d.as_secs_f64() * 1000.0);
    super::fill(C::Milliseconds.get(lang), &[("ms", &decimal(lang, &ms))])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the window's table: both languages, the same placeholders, and
    /// no Russian text left in English (beyond names and templates).
    #[test]
    fn every_cli_text_is_translated() {
        let names = crate::lab::i18n::tests::placeholder_names;
        // Templates of values only: the same in every language.
        const SAME_IN_BOTH: &[C] = &[C::PingFailed, C::FoundServer];
        for key in C::ALL {
            let (en, ru) = (key.get(Lang::En), key.get(Lang::Ru));
            assert!(!en.trim().is_empty() && !ru.trim().is_empty(), "{key:?}");
            assert_eq!(names(en), names(ru), "{key:?}");
            assert!(en != ru || SAME_IN_BOTH.contains(key), "{key:?}: {ru}");
        }
    }

    #[test]
    fn numbers_take_a_decimal_comma_in_russian() {
        let d = Duration::from_micros(1_234);
        assert_eq!(millis(Lang::En, d), "1.234 ms");
        assert_eq!(millis(Lang::Ru, d), "1,234 мс");
        assert_eq!(decimal(Lang::Ru, "0.001 с"), "0,001 с");
    }
}
