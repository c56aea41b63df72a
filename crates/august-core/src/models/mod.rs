//! Typed models of the August API's responses.
