//! Typed errors whose whole content is a message for the user: each module
//! declares its own (`DistError`, `ShardError`, ...) so that a function's
//! signature says what can fail, and `?` converts the messages built inside
//! it.

/// Declare `pub struct $name(pub String)`: an error with a message, built
/// from a `String` or `&str` (so `?` converts), displayed as the message.
#[macro_export]
macro_rules! message_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("{0}")]
        pub struct $name(pub String);

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }
    };
}
