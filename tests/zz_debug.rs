mod common;
#[test]
fn show_preset() {
    let id = std::env::var("PRESET").unwrap();
    let until: u64 = std::env::var("UNTIL").unwrap().parse().unwrap();
    let tl = common::run_preset(&id, until);
    let filt = std::env::var("GREP").unwrap_or_default();
    for e in tl.trace() {
        let d = e.describe();
        if filt.is_empty() || filt.split('|').any(|f| d.contains(f)) {
            println!("{} {}", e.time / 1000, d);
        }
    }
    for v in common::views(&tl) {
        println!("{v:?}");
    }
}
