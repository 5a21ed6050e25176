import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { latestProposal, type Proposal } from '../outcomes/chat-outcomes';
import { message, setUpTestBed, until } from '../testing/fixtures';
import { ProposalPreview } from './proposal-preview';

const EXISTING = '00000000-0000-4000-8000-000000000001';

describe('ProposalPreview', () => {
  let http: HttpTestingController;
  beforeEach(() => localStorage.clear());

  it('reads the latest valid proposal, in dependency order', () => {
    const features = [
      { category: 'c', name: 'Filter', description: 'd', steps: ['s'], dependsOn: [1] },
      { category: 'c', name: 'Search', description: 'd', steps: ['s'], dependsOn: [] },
    ];
    const m = message('a1', 'assistant', '', 1, {
      toolCalls: [{ id: 't', name: 'propose_features', input: { features } }],
    });
    const broken = message('a2', 'assistant', '', 2, {
      toolCalls: [{ id: 't2', name: 'propose_features', input: { features: [{ name: 'x' }] } }],
    });
    const proposal = latestProposal([m, broken]);
    expect(proposal?.messageId).toBe('a1');
    expect(proposal?.order).toEqual([1, 0]);
  });

  it('adds the features through the backlog API, each after the ones it depends on', async () => {
    ({ http } = setUpTestBed());
    const proposal: Proposal = {
      messageId: 'a1',
      order: [1, 0],
      features: [
        {
          category: 'search',
          name: 'Filter results',
          description: 'Narrow them',
          steps: ['filter'],
          dependsOn: [1],
          dependsOnExisting: [EXISTING],
        },
        {
          category: 'search',
          name: 'Search todos',
          description: 'A box',
          steps: ['type'],
          dependsOn: [],
          dependsOnExisting: [],
        },
      ],
    };
    const fixture = TestBed.createComponent(ProposalPreview);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('proposal', proposal);
    TestBed.tick();
    http.expectOne(`/api/v1/projects/p1/features/${EXISTING}`).flush({ name: 'Login' });
    const el = fixture.nativeElement as HTMLElement;
    await until(() => {
      TestBed.tick();
      return el.textContent?.includes('Login');
    });
    expect(el.querySelector('[data-testid="proposal-deps"]')?.textContent).toContain(
      '2. Search todos',
    );

    (el.querySelector('[data-testid="proposal-add"]') as HTMLButtonElement).click();
    const first = http.expectOne({ method: 'POST', url: '/api/v1/projects/p1/features' });
    expect(first.request.body).toMatchObject({ name: 'Search todos', dependsOn: [] });
    first.flush({ id: 'f-search' });
    await until(() => {
      const reqs = http.match({ method: 'POST', url: '/api/v1/projects/p1/features' });
      if (reqs.length === 0) return false;
      expect(reqs[0]?.request.body).toMatchObject({
        name: 'Filter results',
        dependsOn: ['f-search', EXISTING],
      });
      reqs[0]?.flush({ id: 'f-filter' });
      return true;
    });
    await until(() => {
      TestBed.tick();
      return el.querySelector('[data-testid="proposal-added"]') !== null;
    });
    http.verify();
  });
});
