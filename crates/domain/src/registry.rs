//! «Реестр услуг» as data: the passports of a body's services as one file passes them to the
//! summary registry (seed 004) and back. Its XML and signature are the exchange adapter's.

use crate::ServicePassport;

/// The body whose services a registry lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryBody {
    pub name: String,
    pub oktmo: String,
    pub ogrn: String,
    pub inn: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Registry {
    /// When it was made, as written in the file.
    pub exported: String,
    pub body: RegistryBody,
    pub services: Vec<ServicePassport>,
}
