//! Answering "may this token do that?": [`Authorize`] is the question list,
//! [`PolicyAuthorizer`] answers from a token's merged policies,
//! [`StaticAuthorizer`] from `acl.default_policy` (or management), and
//! [`Authorizer`] chains them as Consul does.

mod authorize;
mod chain;
mod decision;
mod fixed;
mod named;
mod policy;

pub use authorize::Authorize;
pub use chain::Authorizer;
pub use decision::Decision;
pub use fixed::StaticAuthorizer;
pub use named::{enforce_named, NamedCheckError};
pub use policy::PolicyAuthorizer;
