//! The app's entry point: in the browser, mount the Leptos UI; natively,
//! point the user at the right commands.

#[cfg(target_arch = "wasm32")]
fn main() {
    replviz::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("replviz runs in the browser: see README.md (bash scripts/serve.sh).");
}
