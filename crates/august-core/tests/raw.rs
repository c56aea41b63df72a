//! Response models that name a subset of their answer keep the whole of it in `raw()`.

use august_core::DoorbellDetail;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

#[test]
fn doorbell_detail_keeps_the_answer() {
    let text = fixture("get_doorbell.json");
    let detail: DoorbellDetail = serde_json::from_str(&text).expect("parses");
    let whole: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(detail.raw(), &whole);
}
