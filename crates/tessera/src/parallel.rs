//! CPU-bound work spread over every core, its results kept in input order:
//! preparing writes (validation, search-index extraction) for `tessera
//! import` and `tessera copy`, while the store's writer commits the batch
//! before.

/// `work` applied to every item, on as many threads as there are cores,
/// each taking one contiguous share; the results in the order of `items`.
pub fn map_on_every_core<T, R, F>(items: Vec<T>, work: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || items.len() < 2 {
        return items.into_iter().map(work).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut shares: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut rest = items.into_iter().peekable();
    while rest.peek().is_some() {
        shares.push(rest.by_ref().take(per_thread).collect());
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || share.into_iter().map(work).collect::<Vec<R>>()))
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(part) => results.extend(part),
                // A panic is a bug, not bad input: let it reach the caller.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
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
