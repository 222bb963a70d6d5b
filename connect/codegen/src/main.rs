//! Generates the Spark Connect protocol code (messages and the tonic service
//! trait) from the FileDescriptorSet assembled by
//! `connect/proto/build_descriptor_set.py`.

use std::path::PathBuf;

use prost::Message;

fn main() {
    let connect = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bytes = std::fs::read(connect.join("proto/spark_connect.bin")).expect("read spark_connect.bin");
    let fds = prost_types::FileDescriptorSet::decode(bytes.as_slice()).expect("decode descriptor set");
    let out = connect.join("src/proto");
    std::fs::create_dir_all(&out).expect("create src/proto");
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .generate_default_stubs(true)
        .out_dir(&out)
        .compile_fds_with_config(fds, prost_build::Config::new())
        .expect("generate");
    println!("generated into {}", out.display());
}
