//! Tools beside the lab: screenshot, "This computer", presentation mode and
//! the flood benchmark.

pub mod file_picker;
pub mod flood_bench;
pub mod guide;
pub mod help;
pub mod jobs;
pub mod presentation;
pub mod screenshot;
pub mod tcp_bench;
pub mod this_computer;
pub mod worker;
