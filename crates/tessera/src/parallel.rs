//! CPU-bound work spread over every core, its results kept in input order:
//! preparing writes (validation, search-index extraction) for `tessera
//! import` and `tessera copy`, while the store's writer commits the batch
//! before.

/// `work` applied to every item on rayon's pool (one thread per core, kept
/// for the whole run), the results in the order of `items`.
///
/// The pool matters more than it looks: a thread spawned per batch (as
/// this did before) leaves its allocator heap behind when it ends, and the
/// next thread reclaims those pages one by one (at a million resources,
/// two thousand threads; the allocator's page churn was a fifth of the
/// preparing threads' time).
pub fn map_on_every_core<T, R, F>(items: Vec<T>, work: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync + Send,
{
    use rayon::iter::{IntoParallelIterator, ParallelIterator};
    items.into_par_iter().map(work).collect()
}

#[cfg(test)]
mod tests {
    use super::map_on_every_core;

    #[test]
    fn keeps_the_input_order() {
        for n in [0, 1, 2, 3, 7, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = map_on_every_core(items, |i| i * 2);
            assert_eq!(doubled, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
