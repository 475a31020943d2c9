//! Bundles that carry writes: REST `transaction` and `batch` Bundles
//! ([`transaction`]), and Bundles loaded by `tessera import`
//! ([`import_plan`]). Both resolve references between entries and
//! conditional references the same way ([`references`]).

pub mod import_plan;
pub mod references;
pub mod transaction;

pub use import_plan::{EntryProblem, PlannedEntry, is_transaction, plan_import};
