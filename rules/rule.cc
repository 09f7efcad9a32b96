#include "rules/rule.h"

#include <algorithm>

namespace otsentry::rules {

bool IntMatch::matches(uint64_t v) const noexcept
{
    bool hit = false;
    switch (op) {
        case CmpOp::Eq:
            hit = v == a;
            break;
        case CmpOp::Ne:
            hit = v != a;
            break;
        case CmpOp::Lt:
            hit = v < a;
            break;
        case CmpOp::Gt:
            hit = v > a;
            break;
        case CmpOp::Le:
            hit = v <= a;
            break;
        case CmpOp::Ge:
            hit = v >= a;
            break;
        case CmpOp::Range:
            hit = v >= a && v <= b;
            break;
        case CmpOp::RangeExclusive:
            hit = v > a && v < b;
            break;
        case CmpOp::AnyOf:
            hit = std::find(list.begin(), list.end(), v) != list.end();
            break;
        case CmpOp::MaskAny:
            hit = (v & a) != 0;
            break;
    }
    return negated ? !hit : hit;
}

uint8_t severity_of(const Rule& r, uint8_t classtype_priority) noexcept
{
    if (r.priority != 0) return r.priority;
    if (classtype_priority != 0) return classtype_priority;
    return 3;
}

}  // namespace otsentry::rules
