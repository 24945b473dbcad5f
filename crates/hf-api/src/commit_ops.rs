//! (being written)

#[allow(unused_imports)]
use crate::HfApi;
