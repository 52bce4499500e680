//! The provider trait, in its own file so that providers and the module that builds them
//! do not use each other.

use crate::expr::Value;

/// Takes one measurement. An `Err` is a measurement error (Argo's Error phase): the provider
/// could not produce a value. Its message never contains a credential.
pub trait Provider {
    fn measure(&self) -> Result<Value, String>;
}
