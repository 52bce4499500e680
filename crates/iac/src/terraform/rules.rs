use super::Body;
use crate::rule::{Info, Src};
use tollgate_model::Finding;
pub fn infos() -> Vec<&'static Info> {
    vec![]
}
pub fn check(_b: &Body, _s: &Src<'_>, _o: &mut Vec<Finding>) {}
