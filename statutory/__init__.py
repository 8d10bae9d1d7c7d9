"""The law as code: EHC statutory dates, deadlines, exceptions and case state.

Pure and deterministic: no I/O, no clock, no Temporal. Every "today" is a parameter.
Sources: Children and Families Act 2014 Part 3 (CFA), the SEND Regulations 2014
(SI 2014/1530, "reg"), the SEND Code of Practice 2015 chapter 9 ("CoP"), SI 2020/471.
"""
