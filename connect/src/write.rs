//! `df.write...`: WriteOperation -> the engine's file and table writers.

use ember_core::{Error, Result};
use ember_engine::Session;

use crate::proto::spark::connect::WriteOperation;

pub fn write_operation(_engine: &Session, _write: WriteOperation) -> Result<()> {
    Err(Error::not_implemented("DataFrameWriter (WriteOperation)"))
}
