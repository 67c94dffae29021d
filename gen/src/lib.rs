//! pamgen configuration and Verilog emission (built in the generator issue).
