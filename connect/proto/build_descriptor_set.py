"""Assembles the Spark Connect protocol into a FileDescriptorSet, without protoc.

Every `pyspark/sql/connect/proto/*_pb2.py` of the `pyspark-client` package
embeds its serialized FileDescriptorProto. We import them, walk their
dependencies (dependencies first, so the set is topologically ordered) and
write the set to `spark_connect.bin`, which `connect/codegen` turns into the
checked-in Rust under `connect/src/proto/`.

Usage: python connect/proto/build_descriptor_set.py  (with pyspark-client installed)
"""

import importlib
import pathlib
import pkgutil

import pyspark
import pyspark.sql.connect.proto as proto_pkg
from google.protobuf import descriptor_pb2

out_dir = pathlib.Path(__file__).resolve().parent


def main() -> None:
    files = {}
    order = []

    def visit(fd):
        if fd.name in files:
            return
        for dep in fd.dependencies:
            visit(dep)
        proto = descriptor_pb2.FileDescriptorProto()
        proto.ParseFromString(fd.serialized_pb)
        files[fd.name] = proto
        order.append(fd.name)

    for mod in pkgutil.iter_modules(proto_pkg.__path__):
        if mod.name.endswith("_pb2"):
            module = importlib.import_module(f"{proto_pkg.__name__}.{mod.name}")
            visit(module.DESCRIPTOR)

    fds = descriptor_pb2.FileDescriptorSet()
    for name in order:
        fds.file.append(files[name])
    (out_dir / "spark_connect.bin").write_bytes(fds.SerializeToString())
    (out_dir / "SPARK_VERSION").write_text(pyspark.__version__ + "\n")
    print(f"{len(order)} files from pyspark-client {pyspark.__version__}: {', '.join(order)}")


if __name__ == "__main__":
    main()
