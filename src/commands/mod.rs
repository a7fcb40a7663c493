//! The commands (`run`, `compare`, `sweep`, `sensitivity`, `merge`) as
//! library functions. They take typed options, report through a [`Ui`]
//! (so the library never prints, reads the command line or the
//! environment), stop at the next chunk of runs when the cancel flag is set,
//! and return the folder they wrote or a [`CommandError`] whose
//! [`exit_code`](CommandError::exit_code) the binary returns.
//!
//! Every command follows the same pipeline (`pipeline.rs`): load the
//! scenarios, resolve the settings, check the memory budget, choose the
//! output folder (never one that holds something tariffsim did not
//! create), run, write the files, and move the folder into place.

pub mod compare;
pub mod merge;
mod pipeline;
pub mod run;
pub mod sensitivity;
pub mod sweep;

pub use pipeline::{CommandError, Common, Settings, Ui, load};
