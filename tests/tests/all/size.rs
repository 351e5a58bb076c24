//! The component as it ships (scripts/build-component.sh) stays small: platforms pull it per
//! tenant and per node, and compile it on first use. docs/size.md gives what takes the bytes.

use e2e::host;

/// The README's and docs/size.md's bound.
const MAX_COMPONENT_BYTES: u64 = 805_000;

#[test]
fn the_component_is_at_most_805_kb() {
    let component = host::component();
    let bytes = std::fs::metadata(&component).unwrap().len();
    assert!(
        bytes <= MAX_COMPONENT_BYTES,
        "{} is {bytes} bytes, over {MAX_COMPONENT_BYTES}: see docs/size.md for what takes the bytes",
        component.display()
    );
}
