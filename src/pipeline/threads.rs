//! Work spread over threads with results in input order, so output never depends on timing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` over `inputs`, the inputs of each host (URL origin; local files count as one host) one
/// after the other in their order, different hosts at once on up to `width` threads; the
/// results in input order.
pub fn per_host<T: Sync, R: Send>(
    inputs: &[T],
    width: usize,
    url: impl Fn(&T) -> &str,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut hosts: Vec<(String, Vec<usize>)> = Vec::new();
    for (at, input) in inputs.iter().enumerate() {
        let host = url::Url::parse(url(input))
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        match hosts.iter_mut().find(|(h, _)| *h == host) {
            Some((_, list)) => list.push(at),
            None => hosts.push((host, vec![at])),
        }
    }
    let groups: Vec<Vec<usize>> = hosts.into_iter().map(|(_, list)| list).collect();
    let mut results: Vec<(usize, R)> = in_parallel(&groups, width, |group| {
        group
            .iter()
            .filter_map(|&at| inputs.get(at).map(|input| (at, f(input))))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    results.sort_by_key(|(at, _)| *at);
    results.into_iter().map(|(_, r)| r).collect()
}

fn in_parallel<T: Sync, R: Send>(inputs: &[T], width: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if inputs.len() < 2 || width < 2 {
        return inputs.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..width.min(inputs.len()) {
            scope.spawn(|| {
                loop {
                    let at = next.fetch_add(1, Ordering::SeqCst);
                    let (Some(input), Some(slot)) = (inputs.get(at), results.get(at)) else {
                        break;
                    };
                    let result = f(input);
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .filter_map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}
