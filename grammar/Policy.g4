// The polc DSL: one `policy` block per Cilium rule, one statement per rule
// element. See docs/dsl.md for the language by example. The parser is
// generated at build time (grammar/CMakeLists.txt); frontend/dsl_reader.cpp
// walks the tree into ast::Rule values.
//
//   policy db {
//     description "db accepts the api pods only";
//     select app = db;
//     allow ingress from endpoints { app = api } on tcp 5432;
//   }
grammar Policy;

file: policy* EOF;

policy: POLICY name=text? LBRACE item* RBRACE;

item
  : DESCRIPTION STRING SEMI                                   # descriptionItem
  | LABEL key=text EQ value=text SEMI                         # labelItem
  | LINT IGNORE text (COMMA text)* SEMI                       # lintItem
  | SELECT (ALL | requirement (COMMA requirement)*) SEMI      # selectItem
  | ENFORCE direction SEMI                                    # enforceItem
  | verdict direction peerClause? l4Clause? (httpClause | SEMI)  # ruleItem
  ;

verdict: ALLOW | DENY;
direction: INGRESS | EGRESS;

// `from` for ingress, `to` for egress (checked by the reader, not here, so
// that a mix-up gets a clear message instead of a syntax error).
peerClause: (FROM | TO) peer;

peer
  : ENDPOINTS selector (COMMA selector)*     # endpointsPeer
  | CIDR cidrItem (COMMA cidrItem)*          # cidrPeer
  | IPBLOCK cidrItem (COMMA cidrItem)*       # ipblockPeer
  | ENTITY text (COMMA text)*                # entityPeer
  | ANY                                      # anyPeer
  ;

selector: LBRACE (requirement (COMMA requirement)*)? RBRACE;

requirement
  : key=text EQ value=text                   # equalsRequirement
  | key=text NEQ value=text                  # notEqualsRequirement
  | key=text IN valueList                    # inRequirement
  | key=text NOT IN valueList                # notInRequirement
  | key=text EXISTS                          # existsRequirement
  | key=text NOT EXISTS                      # notExistsRequirement
  ;

valueList: LPAREN (text (COMMA text)*)? RPAREN;

cidrItem: cidr=text (EXCEPT (text | LPAREN text (COMMA text)* RPAREN))?;

// `on tcp 80, udp 53-60, any, icmp EchoRequest, icmpv6 128`: the first word
// names the protocol, the second the port, port range or ICMP type.
l4Clause: ON portItem (COMMA portItem)*;
// Not `text`: a keyword such as `http` after the protocol starts the next clause.
portItem: proto=(NAME | STRING | ANY) port=(NAME | STRING)?;

httpClause: HTTP LBRACE httpRequest* RBRACE;
httpRequest: (httpField+ | ANY) SEMI;
httpField: kind=(METHOD | PATH | HOST | HEADER) STRING;

// A bare word or a quoted string; keywords are words too where a name is
// expected, so `app = policy` needs no quotes.
text: STRING | NAME | keyword;
keyword
  : POLICY | DESCRIPTION | LABEL | LINT | IGNORE | SELECT | ALL | ENFORCE | ALLOW | DENY
  | INGRESS | EGRESS | FROM | TO | ENDPOINTS | CIDR | IPBLOCK | ENTITY | ANY | IN | NOT
  | EXISTS | EXCEPT | ON | HTTP | METHOD | PATH | HOST | HEADER
  ;

POLICY: 'policy';
DESCRIPTION: 'description';
LABEL: 'label';
LINT: 'lint';
IGNORE: 'ignore';
SELECT: 'select';
ALL: 'all';
ENFORCE: 'enforce';
ALLOW: 'allow';
DENY: 'deny';
INGRESS: 'ingress';
EGRESS: 'egress';
FROM: 'from';
TO: 'to';
ENDPOINTS: 'endpoints';
CIDR: 'cidr';
IPBLOCK: 'ipblock';
ENTITY: 'entity';
ANY: 'any';
IN: 'in';
NOT: 'not';
EXISTS: 'exists';
EXCEPT: 'except';
ON: 'on';
HTTP: 'http';
METHOD: 'method';
PATH: 'path';
HOST: 'host';
HEADER: 'header';

LBRACE: '{';
RBRACE: '}';
LPAREN: '(';
RPAREN: ')';
COMMA: ',';
SEMI: ';';
EQ: '=';
NEQ: '!=';

// "..." with \" and \\ as the only escapes: regexes keep their backslashes.
STRING: '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';
// Label keys and values, addresses and prefixes, ports and ranges, names.
NAME: [A-Za-z0-9_.:/\-]+;

COMMENT: ('#' | '//') ~[\r\n]* -> channel(HIDDEN);
WS: [ \t\r\n]+ -> skip;
