// The model DSL's parser: tokens to a DslModel syntax tree. Only syntax is checked here; errors
// are one line, "FILE:line:col: message".
//
// Grammar (NL is a newline or ';'; see docs/DSL.md for the meaning):
//   file    := 'model' NAME NL decl*
//   decl    := ('size' | 'const') NAME '=' expr (',' NAME '=' expr)* NL
//            | ('input' | 'target') NAME ':' type NL
//            | ('param' | 'state' | 'fixed') NAME ':' type '=' expr NL
//            | 'step' NAME '{' stmt* '}' NL
//            | NAME '=' expr NL                        (loss = ..., or a derived value)
//   stmt    := ['out'] NAME '=' expr NL
//   type    := ['f32' | 'i64'] '[' [expr (',' expr)*] ']'
//   expr    := sum [('<' | '>' | '<=' | '>=' | '==') sum]
//   sum     := term (('+' | '-') term)*
//   term    := unary (('*' | '/' | '@') unary)*
//   unary   := '-' unary | postfix
//   postfix := primary ('[' item (',' item)* ']')*
//   item    := expr | [expr] ':' [expr]                (an index, or a range lo:hi)
//   primary := NUMBER | STRING | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'
#pragma once

#include <string>

#include "frontend/dsl/ast.h"

namespace mnemo {

/// Parses model text \p text (named \p file in diagnostics). Throws mnemo::Error on the first
/// syntax error.
DslModel parseDsl(const std::string& text, const std::string& file);

/// True for the words that start a declaration and cannot name anything.
bool isDslKeyword(const std::string& word);

/// Does \p model declare a \p kind (a size, a constant, ...) named \p name?
bool declaresName(const DslModel& model, DslDecl::Kind kind, const std::string& name);
/// The names \p model declares of \p kind, in order, joined by ", "; "none" if there are none (for
/// errors that list what an unknown name could have been).
std::string declaredNames(const DslModel& model, DslDecl::Kind kind);

}  // namespace mnemo
