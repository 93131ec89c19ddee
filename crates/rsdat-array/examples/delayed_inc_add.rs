//! The seed's delayed example: `inc` and `double` over a list, `add` pairwise, `sum`.
//!
//! `cargo run -p rsdat-array --example delayed_inc_add`
#![allow(clippy::print_stdout)]

fn main() -> Result<(), rsdat_array::Error> {
    let items: Vec<i64> = (1..=8).collect();
    let total = rsdat_array::examples::delayed_inc_add(&items);
    println!("{} functions; sum = {}", total.len(), total.compute()?);
    println!("{}", total.to_dot());
    Ok(())
}
