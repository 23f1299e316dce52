//! Every bound the journal keeps, and why it is that number.

/// Requests committed in one group transaction. A few hundred requests already share one
/// fsync widely; larger groups would only hold the head lock longer (and so delay every
/// request in the group) without raising throughput.
pub const GROUP_REQUESTS_MAX: usize = 512;

/// The longest a group waits for the callers the previous group answered (it waits at most
/// half the previous commit's duration, and this): a few milliseconds is a PostgreSQL commit;
/// waiting longer would add more latency than the larger group saves.
pub const GROUP_LINGER_MAX: std::time::Duration = std::time::Duration::from_millis(2);

/// Appends waiting for the writer: room for one full group to queue while the previous one
/// commits. When it is full, `append` waits (backpressure) rather than queueing without bound.
pub const APPEND_QUEUE_CAPACITY: usize = 2 * GROUP_REQUESTS_MAX;

/// Events in one append. A command emits a handful; a thousand leaves room for imports
/// while refusing a runaway batch before it reaches the writer.
pub const APPEND_EVENTS_MAX: usize = 1_000;

/// Streams one append may touch. The widest command (escrow capture) touches a task and
/// three accounts; 64 is generous and keeps the version check a short IN-list.
pub const APPEND_STREAMS_MAX: usize = 64;

/// Payload and metadata bytes in one append. HTTP bodies are capped far below this; the bound
/// is here so no caller can make the writer hold an unbounded batch in memory.
pub const APPEND_BYTES_MAX: usize = 8 * 1024 * 1024;

/// Events in one group transaction: four maximal appends. Bounds how long one transaction
/// holds the head lock.
pub const GROUP_EVENTS_MAX: usize = 4 * APPEND_EVENTS_MAX;

/// Payload and metadata bytes in one group transaction: four maximal appends. Bounds the
/// writer's memory and the size of the statements it sends.
pub const GROUP_BYTES_MAX: usize = 4 * APPEND_BYTES_MAX;

/// Bind parameters in one statement: SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` (32,766
/// since 3.32), the tighter of the two backends (PostgreSQL allows 65,535). Multi-row INSERTs
/// and IN-lists are split into chunks that stay within it.
pub const STATEMENT_PARAMETERS_MAX: usize = 32_766;

/// Events returned by one `read_all`. A projector catches up page by page and commits a page
/// per transaction; 10,000 events of a few KiB each keeps a page within tens of MiB.
pub const READ_ALL_LIMIT_MAX: u32 = 10_000;

/// How long a SQLite connection waits for another writer (another process, or a reader
/// checkpointing the WAL) before failing with SQLITE_BUSY: long enough to wait out another
/// group commit, short enough that a stuck writer surfaces as an error instead of a hang.
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;
