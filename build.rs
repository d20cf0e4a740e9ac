//! Rebuilds the binary when the embedded rule files or demo boards change (`include_dir!` does
//! not tell cargo about the files it reads).

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=fixtures/boards");
}
