// Scratch timing (not committed): search over an existing database.
use std::time::Instant;
use shopdesk_core::{model::QueueFilter, store::{SearchOrder, Store}};
fn main() {
    let path = std::env::args().nth(1).expect("db");
    let store = Store::open(std::path::Path::new(&path)).expect("open");
    let f = QueueFilter::default();
    for q in ["parcel", "teapot", "Costa", "transportadora", "急須", "tracking has not moved", "t", "te", "tea", "teap"] {
        for order in [SearchOrder::Ranked, SearchOrder::Newest] {
            let mut times = vec![];
            let mut c = 0;
            for _ in 0..30 {
                let t = Instant::now();
                let r = store.search_ordered(q, &f, order).expect("s");
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                c = r.hits.len();
            }
            let t = Instant::now(); let n = store.find_contacts_up_to(q, 8).expect("c").len(); let ct = t.elapsed().as_secs_f64()*1000.0;
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!("{q:24} {order:?} hits {c:3} median {:7.2} p95 {:7.2}   contacts {n} {ct:.2}ms", times[15], times[28]);
        }
    }
}
