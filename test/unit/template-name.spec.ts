import { templateNameProblem } from '../../lib/render/template-name.js';

describe('templateNameProblem', () => {
  it.each([
    ['pluto_rt/list_item'],
    ['pluto_rt_item'],
    ['items/pluto_rt/row.hbs'],
    ['a-b.pluto_rt.c'],
    ['x/pluto_rt'],
  ])('allows %j', (name) => {
    expect(templateNameProblem(name)).toBeUndefined();
  });

  it.each<[unknown, RegExp]>([
    [undefined, /required/],
    ['', /required/],
    [42, /required/],
    ['list_item', /must contain "pluto_rt"/],
    ['plutort/item', /must contain "pluto_rt"/],
    ['/etc/pluto_rt', /absolute/],
    ['../pluto_rt/item', /"\.\."/],
    ['pluto_rt/../../secret', /"\.\."/],
    ['pluto_rt/./item', /"\."/],
    ['pluto_rt//item', /empty/],
    ['pluto_rt/', /empty/],
    ['pluto_rt\\..\\x', /only letters/],
    ['pluto_rt/%2e%2e/x', /only letters/],
    ['pluto_rt/item\0', /only letters/],
    ['C:pluto_rt', /only letters/],
    ['pluto_rt item', /only letters/],
    ['pluto_rt/é', /only letters/],
    [`pluto_rt/${'a'.repeat(200)}`, /only letters/],
  ])('refuses %j', (name, problem) => {
    expect(templateNameProblem(name)).toMatch(problem);
  });
});
