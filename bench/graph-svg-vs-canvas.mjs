#!/usr/bin/env node
// Why the dependency graph draws on a canvas: the same 2,000 nodes and ~3,000 edges, drawn once
// as SVG (one <g> moved by a transform each frame, the usual SVG pan/zoom) and once on a canvas
// (everything redrawn each frame), panned and zoomed for the same scripted frames in headless
// Chromium. Reports requestAnimationFrame deltas (p50/p95/p99) and frames over 16.7 ms for each.
// No api, no database: a synthetic page, so the figures isolate the drawing.
//
//   node bench/graph-svg-vs-canvas.mjs [--frames 180]
import { chromium } from 'playwright-core';
import { chromiumArgs, option } from './support.mjs';

const FRAMES = option('frames', 180);
const N = 2000;

const page = `<!doctype html><html><body style="margin:0">
<div id="host" style="width:1440px;height:900px;overflow:hidden;position:relative"></div>
<script>
function rng(s){return()=>{s=(s*1103515245+12345)&0x7fffffff;return s/0x7fffffff}}
const r=rng(3), nodes=[], edges=[];
for(let i=0;i<${N};i++){nodes.push({x:(i%20)*260,y:Math.floor(i/20)*64,name:'Feature '+i+': checkout flow step '+(i%13)});}
for(let i=1;i<${N};i++){const k=r()<0.5?1:2;for(let j=0;j<k;j++){const d=Math.max(0,i-20-Math.floor(r()*60));edges.push([d,i]);}}
window.edges=edges.length;
const colours=['#e6f6ec','#fdecec','#e7f1ff','#f1f3f5','#fff4e0'];
function frames(step){return new Promise(done=>{const ds=[];let last=performance.now(),i=0;
  function tick(t){ds.push(t-last);last=t;step(i);if(++i<${FRAMES})requestAnimationFrame(tick);else done(ds.slice(2));}
  requestAnimationFrame(tick);});}
// Pan across, then zoom out and in again: the same path for both renderers.
const view=i=>{const k=0.35+0.3*Math.abs(Math.sin(i/40));return {k,x:-i*12*k,y:-i*6*k};};
window.svg=async()=>{const ns='http://www.w3.org/2000/svg';const s=document.createElementNS(ns,'svg');
  s.setAttribute('width','1440');s.setAttribute('height','900');const g=document.createElementNS(ns,'g');s.appendChild(g);
  let d='';for(const [a,b] of edges){const p=nodes[a],q=nodes[b];d+='M'+(p.x+200)+' '+(p.y+22)+'L'+q.x+' '+(q.y+22);}
  const path=document.createElementNS(ns,'path');path.setAttribute('d',d);path.setAttribute('stroke','#99a');path.setAttribute('fill','none');g.appendChild(path);
  nodes.forEach((n,i)=>{const ng=document.createElementNS(ns,'g');ng.setAttribute('transform','translate('+n.x+' '+n.y+')');
    const rect=document.createElementNS(ns,'rect');rect.setAttribute('width','200');rect.setAttribute('height','44');rect.setAttribute('rx','8');rect.setAttribute('fill',colours[i%5]);rect.setAttribute('stroke','#889');
    const t=document.createElementNS(ns,'text');t.setAttribute('x','10');t.setAttribute('y','27');t.setAttribute('font-size','12');t.textContent=n.name;ng.append(rect,t);g.appendChild(ng);});
  document.getElementById('host').appendChild(s);
  return frames(i=>{const v=view(i);g.setAttribute('transform','translate('+v.x+' '+v.y+') scale('+v.k+')');});};
window.canvas=async()=>{const c=document.createElement('canvas');c.width=1440;c.height=900;document.getElementById('host').appendChild(c);const ctx=c.getContext('2d');
  return frames(i=>{const v=view(i);ctx.setTransform(1,0,0,1,0,0);ctx.clearRect(0,0,1440,900);ctx.setTransform(v.k,0,0,v.k,v.x,v.y);
    const x0=-v.x/v.k,y0=-v.y/v.k,x1=x0+1440/v.k,y1=y0+900/v.k;const vis=n=>n.x+200>=x0&&n.x<=x1&&n.y+44>=y0&&n.y<=y1;
    ctx.beginPath();for(const [a,b] of edges){const p=nodes[a],q=nodes[b];if(!vis(p)&&!vis(q))continue;ctx.moveTo(p.x+200,p.y+22);ctx.lineTo(q.x,q.y+22);}ctx.strokeStyle='#99a';ctx.stroke();
    ctx.font='12px sans-serif';nodes.forEach((n,j)=>{if(!vis(n))return;ctx.fillStyle=colours[j%5];ctx.beginPath();ctx.roundRect(n.x,n.y,200,44,8);ctx.fill();ctx.strokeStyle='#889';ctx.stroke();
      if(v.k>0.45){ctx.fillStyle='#123';ctx.fillText(n.name,n.x+10,n.y+27);}});});};
</script></body></html>`;

const stats = (ds) => {
  const s = [...ds].sort((a, b) => a - b);
  const q = (p) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  return {
    frames: s.length,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    over16_7: s.filter((d) => d > 16.7 * 1.5).length,
  };
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: chromiumArgs,
});
const result = {
  benchmark: 'graph-svg-vs-canvas',
  date: new Date().toISOString().slice(0, 10),
  nodes: N,
};
try {
  for (const kind of ['svg', 'canvas']) {
    const p = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await p.setContent(page);
    result.edges = await p.evaluate(() => window.edges);
    result[kind] = stats(await p.evaluate((k) => window[k](), kind));
    await p.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 2));
